"""What changed (``reports/CHANGES.md``): each build compares the published headlines with
the record of the last build that changed any, prints the changes and keeps CHANGES.md.

The first tests work on hand-written manifests (no notebook runs); the last one builds the
fixture notebook in a throw-away mini project, as tests/test_build.py does.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import write_reports_yaml
from sharedservices.pipeline import changes
from sharedservices.pipeline.changes import CHANGED, MISSING, NEW, REMOVED
from sharedservices.pipeline.cli import main
from sharedservices.pipeline.config import Report

ONE = pytest.mark.xdist_group("runner-1")

YEAR = "model year (0 = 2010-11; None = never)"
MONEY = "£m, 2010-11 prices"
SHARE = "fraction of total service expenditure"


def head(value, unit=MONEY, label="A number"):
    return {"value": value, "unit": unit, "label": label}


def publish_fake(reports: Path, name: str, headlines: dict, title: str = "") -> Report:
    """A complete manifest and page for ``name``, as the build would leave them."""
    reports.mkdir(parents=True, exist_ok=True)
    (reports / f"{name}.html").write_text(f"<html>{name}</html>")
    manifest = {"name": name, "title": title or f"Title of {name}", "status": "complete",
                "files": {}, "html_sha256": "x", "headlines": headlines}
    (reports / f"{name}.json").write_text(json.dumps(manifest))
    return Report(name, title or f"Title of {name}", Path(f"/nb/{name}.ipynb"), f"nb/{name}.ipynb", {})


def at(day: int) -> datetime:
    return datetime(2026, 12, day, 9, 30, tzinfo=UTC)


# -- comparing -------------------------------------------------------------------------------

def test_a_changed_value_is_written_as_the_reports_write_it_with_its_relative_change():
    before = {"r": {"title": "R", "headlines": {
        "npv": head(-12.04, MONEY, "Net present value"),
        "share": head(0.042, SHARE, "Share absorbed"),
        "year": head(5, YEAR, "Payback year"),
        "same": head(0.1, SHARE, "Unchanged share"),
        "zero": head(0.0, MONEY, "Reserves draw")}}}
    after = {"r": {"title": "R", "headlines": {
        "npv": head(-9.03, MONEY, "Net present value"),
        "share": head(0.0504, SHARE, "Share absorbed"),
        "year": head(6, YEAR, "Payback year"),
        "same": head(0.1 * (1 + 1e-12), SHARE, "Unchanged share"),  # rounding noise
        "zero": head(1.5, MONEY, "Reserves draw")}}}
    found = changes.compare(before, after)
    assert [(c.report, c.kind, c.headline, c.old, c.new, c.relative) for c in found] == [
        ("r", CHANGED, "npv", "−£12.0m", "−£9.0m", "+25.0%"),
        ("r", CHANGED, "share", "4.2% of total service expenditure", "5.0% of total service expenditure",
         "+20.0%"),  # the basis is named, as in the provenance
        ("r", CHANGED, "year", "2015-16", "2016-17", "+1 year"),
        ("r", CHANGED, "zero", "£0.0m", "£1.5m", "from zero"),
    ]
    assert found[0].line() == "r  Net present value: −£12.0m → −£9.0m (+25.0%)"
    down = changes.compare(after, before)
    assert [c.relative for c in down] == ["−33.3%", "−16.7%", "−1 year", "−100.0%"]


def test_new_removed_reports_and_missing_values_are_shown_as_such():
    before = {"kept": {"title": "Kept", "headlines": {
                  "gone": head(3.0, MONEY, "Dropped headline"),
                  "never": head(None, YEAR, "Payback year")}},
              "old": {"title": "Old report", "headlines": {"x": head(1.0)}}}
    after = {"kept": {"title": "Kept", "headlines": {
                 "never": head(4, YEAR, "Payback year"),
                 "added": head(0.25, SHARE, "New headline")}},
             "fresh": {"title": "Fresh report", "headlines": {"x": head(1.0)}}}
    found = changes.compare(before, after)
    assert [(c.report, c.kind, c.headline, c.old, c.new, c.relative) for c in found] == [
        ("kept", CHANGED, "never", "never", "2014-15", ""),  # None recorded: "never"
        ("kept", CHANGED, "added", MISSING, "25.0% of total service expenditure", ""),   # not recorded before
        ("kept", CHANGED, "gone", "£3.0m", MISSING, ""),    # no longer recorded
        ("fresh", NEW, "", "", "", ""),
        ("old", REMOVED, "", "", "", ""),
    ]
    assert [c.label for c in found[3:]] == ["Fresh report", "Old report"]
    # a unit that changed is a change even with the same number
    assert changes.compare({"a": {"headlines": {"v": head(1.0, "£m")}}},
                           {"a": {"headlines": {"v": head(1.0, "ratio (claim / model)")}}})
    # with no record yet, every report is new
    assert [(c.report, c.kind) for c in changes.compare(None, after)] == [("kept", NEW), ("fresh", NEW)]


# -- the record and CHANGES.md ------------------------------------------------------------------

def test_record_first_build_no_op_change_and_removal(tmp_path):
    reports = tmp_path / "reports"
    a = publish_fake(reports, "a", {"npv": head(10.0, MONEY, "Net present value")})
    b = publish_fake(reports, "b", {"year": head(None, YEAR, "Payback year")})
    unbuilt = Report("c", "Never built", Path("/nb/c.ipynb"), "nb/c.ipynb", {})

    # first build: CHANGES.md is there and lists every published report as new
    first = changes.record_changes(reports, [a, b, unbuilt], now=at(1))
    assert first.first and [(c.report, c.kind) for c in first.lines] == [("a", NEW), ("b", NEW)]
    md = (reports / "CHANGES.md").read_text()
    assert md.startswith("# What changed\n") and "**2026-12-01 09:30 UTC**" in md
    assert "| `a` | new report: Title of a | | | |" in md and "`c`" not in md
    assert first.summary()[0] == f"What changed (first record, every report is new; {reports / 'CHANGES.md'}):"
    assert first.summary()[1:] == ["  a  new report", "  b  new report"]

    # nothing changed: CHANGES.md and the record stay byte for byte, whatever the clock says
    md_bytes, record_bytes = (reports / "CHANGES.md").read_bytes(), (reports / changes.RECORD).read_bytes()
    same = changes.record_changes(reports, [a, b, unbuilt], now=at(2))
    assert same.lines == [] and not same.first
    assert (reports / "CHANGES.md").read_bytes() == md_bytes
    assert (reports / changes.RECORD).read_bytes() == record_bytes
    assert same.summary() == [f"What changed: nothing in the published headlines since the build "
                              f"of 2026-12-01 09:30 UTC ({reports / 'CHANGES.md'})"]
    # CHANGES.md deleted or edited: written again from the record, the same bytes
    (reports / "CHANGES.md").unlink()
    changes.record_changes(reports, [a, b, unbuilt], now=at(3))
    assert (reports / "CHANGES.md").read_bytes() == md_bytes

    # a value moved: a new record, dated, compared with the one before
    publish_fake(reports, "a", {"npv": head(12.5, MONEY, "Net present value")})
    moved = changes.record_changes(reports, [a, b, unbuilt], now=at(4))
    assert [c.line() for c in moved.lines] == ["a  Net present value: £10.0m → £12.5m (+25.0%)"]
    assert moved.summary()[0].startswith("What changed (since the build of 2026-12-01 09:30 UTC;")
    md = (reports / "CHANGES.md").read_text()
    assert "**2026-12-04 09:30 UTC**" in md and "(2026-12-01 09:30 UTC)" in md
    assert "| `a` | Net present value (`npv`) | £10.0m | £12.5m | +25.0% |" in md
    assert "new report" not in md
    assert changes.last_change(reports) == "2026-12-04 09:30 UTC"

    # a report dropped from reports.yaml (its files still on disk) is removed
    gone = changes.record_changes(reports, [a, unbuilt], now=at(5))
    assert [(c.report, c.kind) for c in gone.lines] == [("b", REMOVED)]
    assert "| `b` | removed report: Title of b | | | |" in (reports / "CHANGES.md").read_text()
    # ... once: the next build compares with the record that no longer has it
    assert changes.record_changes(reports, [a, unbuilt], now=at(6)).lines == []
    # a report whose manifest is no longer complete is not published any more
    (reports / "a.json").unlink()
    assert [(c.report, c.kind) for c in changes.record_changes(reports, [a], now=at(7)).lines] == [
        ("a", REMOVED)]


def test_changes_md_escapes_table_cells_and_a_bad_record_starts_again(tmp_path):
    reports = tmp_path / "reports"
    r = publish_fake(reports, "a", {"x": head("yes | no", "name", "Choice\nmade")}, title="A | B")
    changes.record_changes(reports, [r], now=at(1))
    assert "| `a` | new report: A \\| B | | | |" in (reports / "CHANGES.md").read_text()
    publish_fake(reports, "a", {"x": head("no", "name", "Choice\nmade")}, title="A | B")
    changes.record_changes(reports, [r], now=at(2))
    assert "| `a` | Choice made (`x`) | yes \\| no | no |  |" in (reports / "CHANGES.md").read_text()
    (reports / changes.RECORD).write_text("{not json")
    again = changes.record_changes(reports, [r], now=at(3))
    assert again.first and [(c.report, c.kind) for c in again.lines] == [("a", NEW)]


# -- in a build ------------------------------------------------------------------------------------

@ONE
def test_build_prints_what_changed_and_keeps_changes_md(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    main(["--root", str(root), "build"])
    out = capsys.readouterr().out
    md = reports / "CHANGES.md"
    assert md.is_file() and "| `fx-a` | new report: Fixture fx-a | | | |" in md.read_text()
    assert re.search(r"^What changed \(first record, every report is new; .*CHANGES\.md\):\n"
                     r"  fx-a  new report$", out, re.M), out
    index = (reports / "index.html").read_text()
    assert '<a href="CHANGES.html">What changed</a>' in index and '<a href="CHANGES.md">Markdown</a>' in index
    page = (reports / "CHANGES.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<td>new report: Fixture fx-a</td>" in page

    # a build with nothing to do prints nothing about changes and leaves CHANGES.md as it is
    before, before_page = md.read_bytes(), (reports / "CHANGES.html").read_bytes()
    assert main(["--root", str(root), "build"]) == 0
    assert "What changed" not in capsys.readouterr().out and md.read_bytes() == before
    # a rebuild that moves no number says so, and leaves it as it is too
    assert main(["--root", str(root), "build", "--force"]) == 0
    assert "What changed: nothing in the published headlines since the build of" in capsys.readouterr().out
    assert md.read_bytes() == before and (reports / "CHANGES.html").read_bytes() == before_page

    # a parameter that moves the headline, and a report added: both shown
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 3.0}},
                              {"name": "fx-b", "parameters": {"label": "other"}}])
    assert main(["--root", str(root), "build"]) == 0
    out = capsys.readouterr().out
    old, new = (1 + 0.02 * 1.5) ** 5, (1 + 0.02 * 3.0) ** 5  # the mini project's scale: 1.5
    m = json.loads((reports / "fx-a.json").read_text())
    assert m["headlines"]["final-index"]["value"] == pytest.approx(new)
    rel = f"+{100 * (new - old) / old:.1f}%"
    assert re.search(r"^What changed \(since the build of \d{4}-\d\d-\d\d \d\d:\d\d UTC; .*\):$", out, re.M), out
    assert f"  fx-a  Index in year 5: {old:.2f} → {new:.2f} ({rel})" in out
    assert "  fx-b  new report" in out
    text = md.read_text()
    assert f"| `fx-a` | Index in year 5 (`final-index`) | {old:.2f} | {new:.2f} | {rel} |" in text
    assert "| `fx-b` | new report: Fixture fx-b | | | |" in text
    assert f"<td>{old:.2f}</td>\n  <td>{new:.2f}</td>" in (reports / "CHANGES.html").read_text()

    # a report dropped from reports.yaml is shown as removed
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 3.0}}])
    assert main(["--root", str(root), "build"]) == 0
    out = capsys.readouterr().out
    assert "  fx-b  removed report" in out and "fx-a" not in out.split("What changed")[1]
    assert "| `fx-b` | removed report: Fixture fx-b | | | |" in md.read_text()
