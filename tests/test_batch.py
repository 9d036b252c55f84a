"""``batch``: one report per council, on a throw-away mini project.

The fixture notebook tests/fixtures/batch/fx-council.ipynb takes ``council``, ``scale`` and
``fail_for`` (raise for that code) and records the council's 2011 population (thousands,
times ``scale``) and one seeded random draw as headlines.  The councils table is a
seven-row extract of data/processed/councils.csv (three London boroughs, one SD, one SC,
one UA, one fire authority).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import copy_processed
from sharedservices.pipeline import publish
from sharedservices.pipeline.batch import batch
from sharedservices.pipeline.cli import main
from sharedservices.pipeline.councils_index import councils_index_html, format_value

FIXTURES = Path(__file__).parent / "fixtures"
BATCH = FIXTURES / "batch"
GROUP = pytest.mark.xdist_group("batch-local")


def _register_schema():
    spec = importlib.util.spec_from_file_location("fx_batch", BATCH / "fx_batch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fx_batch = _register_schema()


def population(code: str) -> float:
    """Population 2011 of a fixture council, thousands (read from the fixture table)."""
    import csv

    with open(BATCH / "processed" / "councils.csv", newline="", encoding="utf-8") as fh:
        return {r["ecode"]: float(r["population_2011"] or "nan") / 1000
                for r in csv.DictReader(fh)}[code]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp project with the fixture notebook, councils table and one assumption file."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(BATCH / "fx-council.ipynb", root / "notebooks")
    with open(BATCH / "processed" / "councils.csv", newline="", encoding="utf-8") as fh:
        codes = {r["ecode"] for r in __import__("csv").DictReader(fh)}
    copy_processed(root / "data" / "processed", codes)  # those councils' rows of every table
    shutil.copy(BATCH / "processed" / "councils.csv", root / "data" / "processed")
    (root / "data" / "assumptions").mkdir(parents=True)
    shutil.copy(FIXTURES / "runner" / "assumptions" / "fixture.yaml", root / "data" / "assumptions")
    (root / "requirements.txt").write_text("# fixture\n")
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(root / "data" / "processed"))
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(root / "data" / "assumptions"))
    monkeypatch.chdir(root)
    return root


def cli(root: Path, *args: str) -> int:
    return main(["--root", str(root), "batch", "notebooks/fx-council.ipynb", *args])


def tree_digest(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def normalised_html(path: Path) -> str:
    return re.sub(r'<span class="ss-build-time">[^<]*</span>', "", path.read_text())


class _Table(HTMLParser):
    """Rows of the index table: cell texts, and the links in each row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[list[str]] = []
        self.heads: list[str] = []
        self._cell: list[str] | None = None
        self._in_head = False
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self._in_script = True
        if tag == "thead":
            self._in_head = True
        if tag == "tr" and not self._in_head:
            self.rows.append([])
            self.links.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag == "a" and self.links:
            self.links[-1].append(a.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if tag == "thead":
            self._in_head = False
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.heads if self._in_head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self._in_script:
            self._cell.append(data)


def parse_index(path: Path) -> _Table:
    t = _Table()
    t.feed(path.read_text(encoding="utf-8"))
    return t


# --- validation before anything runs (no kernels) ---------------------------------------


def test_unknown_code_exits_2_and_builds_nothing(project, capsys):
    assert cli(project, "--councils", "E5014,E9999") == 2
    err = capsys.readouterr().err
    assert "'E9999'" in err and err.count("\n") == 1
    assert not (project / "reports" / "councils").exists()


@pytest.mark.parametrize("args, words", [
    (["-p", "scale", "99"], ["'scale'", "99", "out of range"]),
    (["-p", "council", "E5014"], ["'council'", "--councils"]),
    (["-p", "nonsense", "1"], ["'nonsense'", "unknown"]),
    (["--tag", "Not A Slug"], ["--tag", "slug"]),
    (["--councils", "XX"], []),
])
def test_invalid_input_exits_2_before_running(project, capsys, args, words):
    full = args if "--councils" in args else ["--councils", "L", *args]
    assert cli(project, *full) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and all(w in err for w in words), err
    assert not (project / "reports" / "councils").exists()


def test_notebook_without_council_parameter_is_refused(project, capsys):
    shutil.copy(FIXTURES / "runner" / "notebooks" / "fx-report.ipynb", project / "notebooks")
    assert main(["--root", str(project), "batch", "notebooks/fx-report.ipynb",
                 "--councils", "L"]) == 2
    assert "has no 'council' parameter" in capsys.readouterr().err


def test_lock_held_exits_3(project, capsys):
    with publish.build_lock(project / "reports"):
        assert cli(project, "--councils", "E5014") == 3
    assert "lock" in capsys.readouterr().err


# --- the index page (no kernels) ---------------------------------------------------------


def _fake_report(dest: Path, code: str, value: float | None, *, failed: bool = False,
                 complete: bool = True) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if complete:
        (dest / f"{code}.html").write_text("<html></html>")
        manifest = {"status": "complete", "headlines": {
            "population": {"value": value, "unit": "thousand people", "label": "Population <2011>"}},
            "provenance": {"parameters": {"council": code, "scale": 2.0}}}
        publish.write_atomic(dest / f"{code}.json", __import__("json").dumps(manifest))
    if failed:
        (dest / "_failed").mkdir(exist_ok=True)
        (dest / "_failed" / f"{code}.html").write_text("<html>failed</html>")


def test_index_lists_every_council_with_headlines_links_and_failures(project):
    dest = project / "reports" / "councils"
    _fake_report(dest, "E5014", 365.0)
    _fake_report(dest, "E2532", None, failed=True)           # old report, last run failed
    _fake_report(dest, "E5030", None, failed=True, complete=False)  # never built
    (dest / "E5014").mkdir()  # a report's own folder is not a council
    page = councils_index_html(dest, "notebooks/fx-council.ipynb", None)
    path = project / "index.html"
    path.write_text(page)
    t = parse_index(path)
    assert t.heads[:4] == ["Council", "Code", "Class", "Region"]
    assert "Population <2011> thousand people" in t.heads  # escaped, unit shown
    assert "&lt;2011&gt;" in page and "<2011>" not in page.replace("&lt;2011&gt;", "")
    by_code = {r[1]: (r, links) for r, links in zip(t.rows, t.links, strict=True)}
    assert set(by_code) == {"E5014", "E2532", "E5030"}
    row, links = by_code["E5014"]
    assert row[0] == "Hammersmith & Fulham" and row[2] == "L" and row[4] == "365.00"
    assert links == ["E5014.html"]
    assert by_code["E2532"][1] == ["E2532.html", "_failed/E2532.html"]
    assert by_code["E5030"][1] == ["_failed/E5030.html"]
    assert [r[0] for r in t.rows] == sorted(r[0] for r in t.rows)  # no-JS order: by name
    # sortable and filterable through the inline script; nothing remote
    assert 'data-type="number"' in page and 'id="filter"' in page and "<script>" in page
    assert "scale = 2.0" in page and "http" not in page
    assert 'data-sort="365.0"' in page


def test_format_value_writes_the_unit_and_sorts_by_the_value():
    assert format_value(12.25, "£m, 2010-11 prices") == ("£12.2m", "12.25")
    assert format_value(0.0726, "fraction of the 2011-12 funding gap (None = no gap)") == ("7.3%", "0.0726")
    assert format_value(None, "model year (0 = 2010-11; None = never)") == ("never", "")
    assert format_value(None, "thousand people") == ("n/a", "")


# --- end to end --------------------------------------------------------------------------


@GROUP
def test_batch_failure_isolation_index_and_incremental_skip(project, capsys):
    t0 = time.monotonic()
    # RS and ONS codes; E09000002 is Barking & Dagenham (E5030)
    rc = cli(project, "--councils", "E5011,E5014,E09000002", "-p", "fail_for", "E5011",
             "-p", "scale", "2")
    first = time.monotonic() - t0
    out, err = capsys.readouterr()
    assert rc == 1, err
    dest = project / "reports" / "councils"
    for code in ("E5014", "E5030"):
        m = publish.read_manifest(dest, code)
        assert m["status"] == "complete"
        assert m["headlines"]["population"]["value"] == pytest.approx(2 * population(code))
        # batch figures: SVG only by default (the report embeds it)
        assert (dest / code / "population.svg").is_file()
        assert not (dest / code / "population.png").exists()
        assert m["provenance"]["parameters"] == {"council": code, "scale": 2.0,
                                                 "fail_for": "E5011", "sleep_for": ""}
        assert re.search(rf"^built\s+{code}\s", out, re.M)
    page = (dest / "E5014.html").read_text()
    assert "<title>Hammersmith &amp; Fulham: Fixture council report</title>" in page
    assert not (dest / "E5011.html").exists()
    failure = (dest / "_failed" / "E5011.html").read_text()
    assert "fixture failure on purpose for E5011" in failure
    assert "Build failed: Camden: Fixture council report" in failure
    assert re.search(r"^failed\s+E5011\s+Camden", out, re.M)
    assert "2 built, 0 skipped, 1 failed" in err and "E5011" in err.splitlines()[-1]
    # seeded kernels: a warm kernel gives the same draw as a cold one would
    import numpy as np

    np.random.seed(0)
    assert publish.read_manifest(dest, "E5014")["headlines"]["draw"]["value"] == np.random.uniform(0, 1)
    t = parse_index(dest / "index.html")
    assert {r[1] for r in t.rows} == {"E5011", "E5014", "E5030"}
    assert ["_failed/E5011.html"] in t.links

    # a second run with the same inputs skips the built councils, retries the failed one
    before = tree_digest(dest / "E5014") | {"html": hashlib.sha256(
        (dest / "E5014.html").read_bytes()).hexdigest()}
    rc = cli(project, "--councils", "E5014,E5030", "-p", "fail_for", "E5011", "-p", "scale", "2")
    out, err = capsys.readouterr()
    assert rc == 0 and "0 built, 2 skipped, 0 failed" in err
    assert before == tree_digest(dest / "E5014") | {"html": hashlib.sha256(
        (dest / "E5014.html").read_bytes()).hexdigest()}
    assert not (dest / ".staging").exists()
    print(f"first run {first:.1f} s")


@GROUP
def test_tag_layout_class_selection_and_cold_equals_warm(project, capsys):
    rc = cli(project, "--councils", "SD", "--tag", "double", "-p", "scale", "2")
    assert rc == 0, capsys.readouterr().err
    dest = project / "reports" / "councils" / "double"
    assert sorted(p.name for p in dest.glob("*.html")) == ["E2532.html", "index.html"]
    assert not (project / "reports" / "councils" / "E2532.html").exists()
    m = publish.read_manifest(dest, "E2532")
    assert m["headlines"]["population"]["value"] == pytest.approx(2 * population("E2532"))
    assert "(double)" in (dest / "index.html").read_text()
    # the cold executor (a fresh process and kernel, as `build` runs) gives the same page
    batch(project / "notebooks" / "fx-council.ipynb", "E2532", {"scale": 2.0}, root=project,
          reports_dir=project / "cold", tag="double", executor="cold")
    cold = project / "cold" / "councils" / "double" / "E2532.html"
    assert normalised_html(cold) == normalised_html(dest / "E2532.html")


@pytest.mark.xdist_group("batch-timeout")
def test_time_limit_kills_one_council_and_spares_the_others(project, capsys):
    t0 = time.monotonic()
    rc = cli(project, "--councils", "E5011,E5014", "-p", "sleep_for", "E5011",
             "--timeout", "40", "-j", "2")
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert time.monotonic() - t0 < 120  # the sleeping kernel was not waited for
    dest = project / "reports" / "councils"
    assert re.search(r"^failed\s+E5011\s.*timed out: the notebook ran longer than 40 s", out, re.M)
    assert (dest / "_failed" / "E5011.html").is_file()
    assert publish.read_manifest(dest, "E5014")["status"] == "complete"
