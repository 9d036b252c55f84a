"""Sources (issue 12, point 6): no green or amber value cites a non-primary host.

The hosts that are not primary sources (mirrors, reprints, document-sharing sites, blogs,
forums, consultancy reprints, citation indexes, web-archive copies) are data:
``data/assumptions/non_primary_hosts.yaml``, which the README generator writes into
``data/assumptions/README.md`` and which these tests read.  Every shipped value's source
URL, and every URL in its note or quality_note, is checked against it; the check is shown
to fail on deliberately bad values in a temporary copy of the assumptions, selected the
way other tests select one, through ``SHAREDSERVICES_ASSUMPTIONS_DIR``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sharedservices.errors import DataError
from sharedservices.inputs import assumptions, paths

SHIPPED = paths.DATA_DIR / "assumptions"
HOST_FILE = "non_primary_hosts.yaml"

#: The hosts issue 12 names as cited like primary sources; each must be on the list.
NAMED_IN_ISSUE = [
    "wikimili.com",
    "businessesforsalebrighton.co.uk",
    "rssing.com",
    "blogspot.com",
    "studylib.net",
    "hitpages.com",
    "docstoc.com",
]


def _violations(directory: Path) -> list[str]:
    """One line per green or amber value that offers a URL on a listed host as a source."""
    return [
        f"{c.key} ({c.quality}): {c.where} {c.url} is on {c.host}"
        for c in assumptions.non_primary_citations(directory)
        if c.quality != "red"
    ]


def _copy_shipped(tmp_path: Path) -> Path:
    d = tmp_path / "assumptions"
    shutil.copytree(SHIPPED, d)
    return d


def _add_value(directory: Path, name: str, key: str, record: str) -> None:
    (directory / name).write_text(
        f"title: Deliberately bad fixture\nvalues:\n  {key}:\n{record}", encoding="utf-8"
    )


def _record(url: str, quality: str = "amber", note: str = "") -> str:
    body = (
        "    value: 0.5\n"
        "    unit: fraction of something\n"
        f"    source: {{title: 'A fixture source, 1 January 2011', url: '{url}'}}\n"
        f"    quality: {quality}\n"
        "    quality_note: a fixture\n"
    )
    return body + (f"    note: '{note}'\n" if note else "")


# ------------------------------------------------------------------ the rule on the shipped data


def test_no_green_or_amber_value_cites_a_non_primary_host() -> None:
    # paths.assumptions_dir(): the shipped files, unless SHAREDSERVICES_ASSUMPTIONS_DIR says
    # otherwise (test_the_rule_fails_in_a_fresh_run redirects it to a bad copy)
    problems = _violations(paths.assumptions_dir())
    assert not problems, (
        "rate these red with the reason in quality_note, or cite the publisher's own page "
        "(data/assumptions/non_primary_hosts.yaml lists the hosts):\n" + "\n".join(problems)
    )


def test_host_list_is_data_and_names_the_hosts_the_issue_found() -> None:
    hosts = assumptions.value(assumptions.NON_PRIMARY_HOSTS, SHIPPED)
    assert isinstance(hosts, dict) and len(hosts) >= len(NAMED_IN_ISSUE)
    assert set(NAMED_IN_ISSUE) <= set(hosts)
    for host, kind in hosts.items():
        assert host == host.strip().lower() and "/" not in host and "." in host, host
        assert not host.startswith("www."), host  # matching ignores www., so the list does too
        assert isinstance(kind, str) and kind.strip(), host
    assert assumptions.get(assumptions.NON_PRIMARY_HOSTS, SHIPPED).quality == "red"


def test_readme_carries_the_host_list_from_the_data() -> None:
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    hosts = assumptions.value(assumptions.NON_PRIMARY_HOSTS, SHIPPED)
    assert "## Hosts that are not primary sources" in readme
    for host, kind in hosts.items():
        assert f"| `{host}` | {kind} |" in readme, host
    for url in assumptions.value(assumptions.ARCHIVED_PRIMARIES, SHIPPED):
        assert url in readme
    # generated, not typed: the README holds exactly what the generator writes
    assert assumptions.render_markdown(SHIPPED) in readme


def test_every_value_citing_a_listed_host_is_red_and_listed_in_the_readme() -> None:
    cites = assumptions.non_primary_citations(SHIPPED)
    assert cites, "the shipped data still cites some listed hosts, rated red"
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    for c in cites:
        assert c.quality == "red", c
        assert f"| `{c.key}` | {c.where} | `{c.host}` | **red** |" in readme, c


def test_archived_primaries_are_on_the_listed_archive_and_cited() -> None:
    hosts = assumptions.value(assumptions.NON_PRIMARY_HOSTS, SHIPPED)
    allowed = assumptions.value(assumptions.ARCHIVED_PRIMARIES, SHIPPED)
    cited = {a.source_url for a in assumptions.load_all(SHIPPED).values() if a.source_url}
    for url, why in allowed.items():
        assert assumptions.listed_host(url, hosts) == "web.archive.org", url
        assert url in cited, f"{url} is allowed but no value cites it: drop it"
        assert why.strip(), url


# ------------------------------------------------------------------ the check can fail


@pytest.mark.parametrize(
    ("record", "where"),
    [
        (_record("https://wikimili.com/en/Tri-borough_shared_services"), "source"),
        (_record("https://transchannel2.rssing.com/chan-2010380/article487.html"), "source"),
        (_record("http://WWW.Studylib.net:80/doc/12814962/"), "source"),
        (_record("https://www.gov.uk/x", "green", "read in https://www.hitpages.com/doc/1/1/."), "note"),
        (_record("https://web.archive.org/web/2012/http://www.gov.uk/x"), "source"),
    ],
    ids=["mirror", "subdomain", "case-www-port", "url-in-note", "unlisted-archive-copy"],
)
def test_the_check_flags_a_bad_fixture_value(tmp_path, monkeypatch, record, where) -> None:
    d = _copy_shipped(tmp_path)
    _add_value(d, "zz_bad.yaml", "bad", record)
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(d))
    problems = _violations(paths.assumptions_dir())
    assert len(problems) == 1 and problems[0].startswith("zz_bad.bad (") and f": {where} " in problems[0]
    with pytest.raises(AssertionError, match=r"zz_bad\.bad"):
        test_no_green_or_amber_value_cites_a_non_primary_host()


def test_the_check_passes_red_values_primary_hosts_and_allowed_archives(tmp_path, monkeypatch) -> None:
    d = _copy_shipped(tmp_path)
    allowed = next(iter(assumptions.value(assumptions.ARCHIVED_PRIMARIES, SHIPPED)))
    (d / "zz_ok.yaml").write_text(
        "title: Fixture\nvalues:\n"
        "  red_mirror:\n" + _record("https://wikimili.com/en/x", "red")
        + "  lookalike:\n" + _record("https://notwikimili.com/en/x")
        + "  archive:\n" + _record(allowed, "green"),
        encoding="utf-8",
    )
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(d))
    assert _violations(paths.assumptions_dir()) == []
    assert [c.key for c in assumptions.non_primary_citations(d) if c.key.startswith("zz_ok.")] == [
        "zz_ok.red_mirror"
    ]


def test_the_check_reads_the_host_list_from_the_data(tmp_path) -> None:
    d = _copy_shipped(tmp_path)
    path = d / HOST_FILE
    text = path.read_text(encoding="utf-8")
    _add_value(d, "zz_new.yaml", "x", _record("https://www.example-reprints.org/a"))
    assert _violations(d) == []
    path.write_text(
        text.replace("      wikimili.com:", "      example-reprints.org: reprint\n      wikimili.com:"),
        encoding="utf-8",
    )
    assert _violations(d) == ["zz_new.x (amber): source https://www.example-reprints.org/a "
                              "is on example-reprints.org"]
    path.unlink()
    with pytest.raises(DataError, match="non_primary_hosts.yaml"):
        assumptions.non_primary_citations(d)


def test_the_rule_fails_in_a_fresh_run_on_a_bad_copy(tmp_path) -> None:
    """The rule as CI runs it: pytest on this file with the assumptions redirected."""
    d = _copy_shipped(tmp_path)
    _add_value(d, "zz_bad.yaml", "bad", _record("http://bostoneyelincolnshire.blogspot.com/2010/07/x.html"))
    env = {**os.environ, "SHAREDSERVICES_ASSUMPTIONS_DIR": str(d)}
    here = Path(__file__)
    test_id = f"{here}::test_no_green_or_amber_value_cites_a_non_primary_host"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", test_id],
        cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "zz_bad.bad (amber): source http://bostoneyelincolnshire.blogspot.com" in run.stdout
    assert "1 failed" in run.stdout
    ok = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", test_id],
        cwd=paths.ROOT, env={k: v for k, v in os.environ.items() if k != "SHAREDSERVICES_ASSUMPTIONS_DIR"},
        capture_output=True, text=True, timeout=300,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr


# ------------------------------------------------------------------ the helpers


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.paconsulting.com/newsroom/x", "paconsulting.com"),
        ("HTTP://Bostoneyelincolnshire.BLOGSPOT.com/2010/07/x.html", "bostoneyelincolnshire.blogspot.com"),
        ("https://web.archive.org/web/2012/http://www.communities.gov.uk:80/x", "web.archive.org"),
        ("http://www.communities.gov.uk:80/corporate/", "communities.gov.uk"),
        ("suite assumption", ""),
    ],
)
def test_url_host(url: str, host: str) -> None:
    assert assumptions.url_host(url) == host


def test_urls_in_notes_keep_the_address_and_drop_the_sentence() -> None:
    note = (
        "2012-13 provisional (Public Finance, http://www.publicfinance.co.uk/news/2011/12/x); "
        "see https://a.gov.uk/b?c=1&d=2, and https://e.org/f."
    )
    assert assumptions.urls_in(note) == [
        "http://www.publicfinance.co.uk/news/2011/12/x",
        "https://a.gov.uk/b?c=1&d=2",
        "https://e.org/f",
    ]


# ------------------------------------------------------------------ the citations issue 12 named


def test_the_misattributed_citations_stay_fixed() -> None:
    def get(key: str) -> assumptions.Assumption:
        return assumptions.get(key, SHIPPED)

    # "A problem shared" is Simon Parker's Public Finance column, not the NLGN report page
    a = get("savings_evidence.ambitious_target")
    assert a.source_url == "https://www.publicfinance.co.uk/2011/02/a-problem-shared-by-simon-parker"
    assert "Public Finance" in a.source_title and "28 February 2011" in a.source_title
    for preset in ("back_office_waste", "broad", "public_realm"):  # the column's scopes
        assert get(f"programmes.preset.{preset}").source_url == a.source_url, preset
    # the tri-borough 13.3 % is a management saving over a front-line base: red for care
    for service in ("adult_social_care", "childrens_social_care"):
        s = get(f"programmes.service.{service}.savings_rate")
        assert s.quality == "red" and "management" in s.quality_note, service
    # LGSS and CPBS saved within their first year of operation, 2-3 years after deciding
    lead = get("programmes.service.central.lead_time_years")
    assert lead.quality == "red"
    assert "first year" in lead.quality_note and "2-3 years" in lead.quality_note
    # the 0.064 overhead share is solved to reproduce NLGN's 1.8 %
    overhead = get("programmes.back_office_overhead_share")
    assert "by construction" in (overhead.note or "")
    assert "by construction" in (get("savings_evidence.back_office_realistic").note or "")
