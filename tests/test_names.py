"""Issue 15, items 4 and 5: councils by name, report titles and file names, the council index.

* ``-p council Bristol`` (and ``--councils Bristol,...``) matches a council's name as the
  explorer does, through one function (``report.params.find_council``); an unknown or
  ambiguous name exits 2 with the closest names.
* Ad-hoc and batch titles name the council without its class suffix ("Can shared services
  close Bristol's funding gap in time?"); ad-hoc files are ``NN-WORD-COUNCIL[-HASH].html``;
  no staging folder is left, whether the run succeeds or fails.
* The council index writes %, £m and financial years, drops columns that hold one value
  for every council (listing them once), filters by region and class, and shows each
  report's own build time; so does reports/index.html.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import data
from sharedservices.pipeline import publish
from sharedservices.pipeline.cli import main
from sharedservices.pipeline.config import Report
from sharedservices.pipeline.councils_index import councils_index_html
from sharedservices.pipeline.index import index_html
from sharedservices.pipeline.provenance import build_time
from sharedservices.pipeline.runner import adhoc_name, council_slug
from sharedservices.report import explorer, params
from sharedservices.report.titles import report_title
from test_batch import BATCH, fx_batch, parse_index, project  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
NB30 = ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"
COUNCIL_NOTEBOOKS = sorted(n for n in (ROOT / "notebooks").glob("*.ipynb")
                           if any(s.council for s in params.describe(n)) and n.stem != "explorer")
E2E = pytest.mark.xdist_group("names-e2e")


def _principal() -> list[dict[str, str]]:
    with open(ROOT / "data" / "processed" / "councils.csv", newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["principal"] == "true"]


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


# --- the class suffixes, from the data ----------------------------------------------------


def test_class_suffixes_are_exactly_the_upper_case_last_words_of_the_council_names() -> None:
    last_words = {r["name"].split()[-1] for r in _principal()}
    upper = {w for w in last_words if re.fullmatch(r"[A-Z]{2,4}", w)}
    assert upper == set(data.CLASS_SUFFIXES)  # a new suffix in the data fails here
    short = [data.short_name(r["name"]) for r in _principal()]
    assert not any(s.split()[-1] in data.CLASS_SUFFIXES for s in short)
    assert len(set(short)) == len(short)  # still one name per council
    slugs = [council_slug(s) for s in short]
    assert len(set(slugs)) == len(slugs) and all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs)
    assert data.council_name("E0102") == "Bristol" and data.council_name("E06000023") == "Bristol"


# --- one matcher: names, case, codes, ambiguity ------------------------------------------


@pytest.mark.parametrize(("typed", "ecode"), [
    ("Bristol", "E0102"), ("bristol", "E0102"), ("BRISTOL UA", "E0102"), ("  bristol  ua ", "E0102"),
    ("E0102", "E0102"), ("e06000023", "E0102"), ("Hammersmith and Fulham", "E5014"),
    ("stoke on trent", "E3401"), ("York", "E2701"),  # York although North Yorkshire contains it
    ("east linds", "E2532"),  # part of one name only, as the explorer's picker accepts
])
def test_a_council_is_found_by_its_name_case_ignored_or_its_code(typed: str, ecode: str) -> None:
    assert params.find_council(typed) == ecode
    assert explorer.find_council(typed) == ecode


def test_an_ambiguous_name_lists_the_councils_it_matches() -> None:
    with pytest.raises(InputError) as e:
        params.find_council("Lincoln")
    msg = str(e.value)
    assert msg.startswith("council: 'Lincoln' matches 4 councils (closest: Lincoln City, ")
    assert all(n in msg for n in ("Lincolnshire", "North Lincolnshire", "North East Lincolnshire"))
    assert "\n" not in msg and "allowed:" in msg


def test_an_unknown_name_lists_the_closest_names() -> None:
    with pytest.raises(InputError, match=r"^council: 'Bristl' matches no principal council "
                                         r"\(closest: Bristol; allowed: a principal council's name"):
        params.find_council("Bristl")
    with pytest.raises(InputError, match=r"'E6042' is Greater Manchester Police .*not a principal"):
        params.find_council("E6042")  # a code of a body that is not a council


def test_explorer_and_validation_share_the_one_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake(text: str) -> str:
        calls.append(text)
        return "E0101"

    monkeypatch.setattr(params.councils, "find_council", fake)
    monkeypatch.setattr(params, "find_council", fake)
    assert explorer.find_council("somewhere") == "E0101"
    assert params.validate("30-payback-vs-cuts", {"council": "elsewhere"})["council"] == "E0101"
    assert calls == ["somewhere", "elsewhere"]


def test_a_name_is_validated_into_the_councils_code_and_a_code_kept_as_given() -> None:
    assert params.validate("30-payback-vs-cuts", {"council": "bristol"})["council"] == "E0102"
    assert params.validate("30-payback-vs-cuts", {"council": "E06000023"})["council"] == "E06000023"
    assert params.select_councils("Bristol, e0101,Bath & North East Somerset") == ["E0101", "E0102"]
    assert "name such as Bristol" in params.describe("30-payback-vs-cuts")[0].allowed()


@pytest.mark.parametrize(("value", "words"), [
    ("Bristl", ["'Bristl' matches no principal council", "closest: Bristol"]),
    ("lincoln", ["'lincoln' matches 4 councils", "Lincoln City"]),
    ("Atlantis", ["'Atlantis' matches no principal council", "closest: "]),
])
def test_run_and_batch_refuse_an_unknown_or_ambiguous_name_with_exit_2(
        value: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "r.html"
    assert main(["run", str(NB30), "-p", "council", value, "-o", str(out)]) == 2
    err = _error(capsys)
    assert err.startswith("error: parameter 'council': ") and all(w in err for w in words), err
    assert main(["--root", str(tmp_path), "batch", str(NB30), "--councils", f"E0101,{value}"]) == 2
    err = _error(capsys)
    assert err.startswith("error: council: ") and all(w in err for w in words), err
    assert not any(tmp_path.iterdir())  # refused before anything was written


# --- titles and file names ----------------------------------------------------------------


@pytest.mark.parametrize("notebook", COUNCIL_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_council_notebooks_title_names_the_council_in_its_own_words(notebook: Path) -> None:
    title = report_title(notebook, data.council_name("E0102"))
    assert "Bristol" in title and "Bristol UA" not in title and not title.startswith("Bristol:")
    assert not re.search(r"\b(this|one|a) council\b", title, re.I), title
    if notebook.stem == "30-payback-vs-cuts":
        assert title == "Can shared services close Bristol's funding gap in time?"


def test_adhoc_names_come_from_the_notebook_and_the_council() -> None:
    assert adhoc_name(NB30, {}, "Bristol") == "30-payback-bristol"
    with_extra = adhoc_name(NB30, {"horizon": 12}, "Bristol")
    assert re.fullmatch(r"30-payback-bristol-[0-9a-f]{8}", with_extra)
    assert adhoc_name(NB30, {"horizon": 12}, "Bristol") == with_extra  # the same values: the same file
    assert adhoc_name(NB30, {"horizon": 13}, "Bristol") != with_extra
    assert adhoc_name(ROOT / "notebooks" / "00-data-overview.ipynb", {}) == "00-data-overview"


def _copy_council_notebook(root: Path, stem: str, heading: str) -> Path:
    """The batch fixture notebook under another stem, with another first heading."""
    nb = json.loads((BATCH / "fx-council.ipynb").read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = [f"# {heading}\n", "\n", "A fixture."]
    path = root / "notebooks" / f"{stem}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    params.register(stem)(fx_batch.FixtureCouncilParams)
    return path


@E2E
def test_adhoc_and_batch_titles_file_names_and_no_staging_left(project: Path,  # noqa: F811
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    nb = _copy_council_notebook(project, "31-people-count", "How many people live in this council's area?")
    adhoc = project / "reports" / "adhoc"

    def run(*args: str) -> int:
        return main(["--root", str(project), "run", str(nb), *args])

    assert run("-p", "council", "hammersmith & fulham") == 0, capsys.readouterr().err
    page = adhoc / "31-people-hammersmith-and-fulham.html"
    m = publish.read_manifest(adhoc, page.stem)
    assert m["title"] == "How many people live in Hammersmith & Fulham's area?"
    shown = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S).group(1)
    assert html.unescape(shown).strip() == m["title"]
    assert m["provenance"]["parameters"]["council"] == "E5014"  # the name became the code
    assert not (adhoc / publish.STAGING).exists()
    # a parameter away from its default adds a hash; the default value itself does not
    assert run("-p", "council", "E5014", "-p", "scale", "2") == 0
    hashed = [p.name for p in adhoc.glob("31-people-hammersmith-and-fulham-*.html")]
    assert len(hashed) == 1 and re.fullmatch(r"31-people-hammersmith-and-fulham-[0-9a-f]{8}\.html",
                                             hashed[0])
    assert run("-p", "council", "E09000013", "-p", "scale", "1.0") == 0  # ONS code, default scale
    assert capsys.readouterr().out.strip().endswith(str(page))
    assert sorted(p.name for p in adhoc.glob("*.html")) == sorted([page.name, *hashed])
    assert not (adhoc / publish.STAGING).exists()
    # a failed run leaves its failure report and no staging folder either
    assert run("-p", "council", "Camden", "-p", "fail_for", "E5011") == 1
    assert (adhoc / "_failed").is_dir() and not (adhoc / publish.STAGING).exists()
    failure = next((adhoc / "_failed").glob("31-people-camden-*.html")).read_text()
    assert "Build failed: How many people live in Camden's area?" in html.unescape(failure)
    # batch: the same title for each council, files named by RS code
    capsys.readouterr()
    started = build_time()
    assert main(["--root", str(project), "batch", str(nb), "--councils", "Camden,Barking"]) == 0, \
        capsys.readouterr().err
    dest = project / "reports" / "councils"
    assert sorted(p.name for p in dest.glob("*.html")) == ["E5011.html", "E5030.html", "index.html"]
    assert publish.read_manifest(dest, "E5030")["title"] == \
        "How many people live in Barking & Dagenham's area?"
    assert not (dest / publish.STAGING).exists()
    # each report's own build time (when its notebook finished): in its page, its manifest
    # and the index
    index = (dest / "index.html").read_text(encoding="utf-8")
    for code in ("E5011", "E5030"):
        when = publish.read_manifest(dest, code)["provenance"]["build_time"]
        assert started <= when and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when)
        assert f'<span class="ss-build-time">{when}</span>' in (dest / f"{code}.html").read_text()
        assert when.replace("T", " ").rstrip("Z") in index


# --- the council index ----------------------------------------------------------------------

HEADLINES = {  # as nb30 records them (display.headline)
    "coverage": ("Coverage at the end of the Spending Review period",
                 "fraction of the 2014-15 funding gap (None = no gap)"),
    "npv": ("NPV of the programme's cash flow", "£m, 2010-11 prices"),
    "payback": ("Payback year, before financing", "model year (0 = 2010-11; None = never)"),
    "persistence": ("Persistence of front-line cuts used", "fraction of a cut not restored"),
    "irr": ("The private partner's IRR", "fraction a year, nominal (None = no partner)"),
}


def _manifest(dest: Path, code: str, built: str, **values: object) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{code}.html").write_text("<html></html>")
    heads = {k: {"value": v, "label": HEADLINES[k][0], "unit": HEADLINES[k][1]}
             for k, v in values.items()}
    publish.write_atomic(dest / f"{code}.json", json.dumps({
        "status": "complete", "headlines": heads,
        "provenance": {"parameters": {"council": code}, "build_time": built}}))


def _index(dest: Path, tmp: Path) -> tuple[str, object]:
    page = councils_index_html(dest, "notebooks/30-payback-vs-cuts.ipynb")
    path = tmp / "index.html"
    path.write_text(page, encoding="utf-8")
    return page, parse_index(path)


def test_council_index_formats_values_drops_one_value_columns_and_shows_own_build_times(
        project: Path, tmp_path: Path) -> None:  # noqa: F811
    dest = project / "reports" / "councils"
    shared = {"persistence": 0.75, "irr": None}
    _manifest(dest, "E5014", "2026-11-27T01:50:07Z", coverage=0.0726, npv=-12.04, payback=5, **shared)
    _manifest(dest, "E2532", "2026-11-27T01:52:41Z", coverage=None, npv=33.43, payback=None, **shared)
    _manifest(dest, "E0101", "2026-11-27T01:49:59Z", coverage=0.5, npv=1.0, payback=2, **shared)
    page, t = _index(dest, tmp_path)
    heads = " | ".join(t.heads)
    assert "Coverage at the end of the Spending Review period % of the 2014-15 funding gap" in heads
    assert "Payback year, before financing financial year" in heads and "Built (UTC)" in heads
    assert "Persistence" not in heads and "IRR" not in heads  # one value for every council
    same = re.search(r'<p class="same" id="same-for-all">(.*?)</p>', page, re.S).group(1)
    assert "Persistence of front-line cuts used (% of a cut not restored): 75.0%" in same
    assert "IRR (% a year, nominal): no partner" in same.replace("&#39;", "'")
    by_code = {r[1]: dict(zip(t.heads, r, strict=True)) for r in t.rows}
    h = by_code["E5014"]
    assert h["Council"] == "Hammersmith & Fulham" and h["Region"] == "London"
    cov = next(k for k in h if k.startswith("Coverage"))
    npv = next(k for k in h if k.startswith("NPV"))
    pay = next(k for k in h if k.startswith("Payback"))
    assert (h[cov], h[npv], h[pay]) == ("7.3%", "−£12.0m", "2015-16")
    assert (by_code["E2532"][cov], by_code["E2532"][pay]) == ("no gap", "never")
    assert by_code["E0101"]["Council"] == "Bath & North East Somerset"  # no class suffix
    assert {c: r["Built (UTC)"] for c, r in by_code.items()} == {
        "E5014": "2026-11-27 01:50:07", "E2532": "2026-11-27 01:52:41", "E0101": "2026-11-27 01:49:59"}
    assert 'data-sort="0.0726"' in page and 'data-sort="-12.04"' in page  # sorted by value
    # filters by region and by class, on rows that carry both (a plain table without JS)
    assert 'id="region-filter"' in page and '<option value="L">London</option>' in page
    assert 'id="class-filter"' in page
    assert re.search(r'<tr data-class="L" data-region="L" data-search="Hammersmith & Fulham ',
                     page.replace("&amp;", "&"))


def test_council_index_of_one_class_and_region_lists_them_once_and_one_council_keeps_all(
        project: Path, tmp_path: Path) -> None:  # noqa: F811
    dest = project / "reports" / "councils"
    _manifest(dest, "E5014", "2026-11-27T01:50:07Z", npv=1.0)
    page, t = _index(dest, tmp_path)
    assert "Class" in t.heads and "Region" in t.heads and 'id="same-for-all"' not in page
    _manifest(dest, "E5011", "2026-11-27T01:51:07Z", npv=2.0)  # Camden: London too
    page, t = _index(dest, tmp_path)
    assert "Class" not in t.heads and "Region" not in t.heads
    assert "Class: L; Region: London" in page
    assert 'id="class-filter"' not in page and 'id="region-filter"' not in page  # one choice each


def test_main_index_shows_each_reports_own_build_time(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    entries = []
    for name, when in (("a", "2026-11-27T01:50:07Z"), ("b", "2026-11-28T09:00:00Z")):
        (reports / f"{name}.html").write_text("<html></html>")
        publish.write_atomic(reports / f"{name}.json", json.dumps({
            "name": name, "status": "complete", "title": name.upper(), "key_findings": ["x"],
            "provenance": {"parameters": {}, "build_time": when}}))
        entries.append(Report(name, name.upper(), NB30, "notebooks/x.ipynb", {}))
    page = index_html(reports, entries)
    assert "2026-11-27T01:50:07Z" in page and "2026-11-28T09:00:00Z" in page

