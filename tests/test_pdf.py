"""PDFs of the published set (``build --pdf``, ``make pdf``): printed by headless Chromium in
staging, hashed in the manifest with their page count, published atomically with the page,
and never left beside a page they were not printed from.

The Chromium tests are skipped when no Chromium is installed, except under ``CI=true``,
where a missing browser must fail them.  The build tests run the fixture notebook in a
throw-away mini project (as tests/test_build.py does).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import browser_test, write_reports_yaml
from sharedservices.errors import EXIT_TOOL_MISSING, ToolFailed
from sharedservices.pipeline import browser, pdf, publish
from sharedservices.pipeline.cli import main

ONE = pytest.mark.xdist_group("runner-1")
TWO = pytest.mark.xdist_group("runner-2")


def cli(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_files(reports: Path, name: str) -> dict[str, str]:
    files = [reports / f"{name}.html", reports / f"{name}.json", reports / f"{name}.pdf",
             *sorted((reports / name).rglob("*"))]
    return {str(f.relative_to(reports)): sha(f) for f in files if f.is_file()}


def media_boxes(data: bytes) -> set[tuple[float, float]]:
    return {(round(float(w)), round(float(h)))
            for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)}


def is_a4(boxes: set[tuple[float, float]]) -> bool:
    """Every page A4 (595.3 x 841.9 pt), to the point Chromium rounds its paper size."""
    return bool(boxes) and all(abs(w - 595.3) <= 1 and abs(h - 841.9) <= 1 for w, h in boxes)


PAGES_HTML = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>three pages</title>{style}</head><body>
<h1>One</h1><p>first page</p>
<h2 style="break-before: page">Two</h2><p>second page</p>
<h2 style="break-before: page">Three</h2><p>third page</p>
</body></html>
"""


# -- counting pages --------------------------------------------------------------------------

def test_count_pages_reads_the_page_tree_not_the_drawings():
    objects = [b"<</Type /Catalog /Pages 2 0 R>>",
               b"<</Type /Pages /Kids [3 0 R 4 0 R] /Count 3>>",
               b"<</Type /Pages /Parent 2 0 R /Kids [5 0 R 6 0 R] /Count 2>>",
               b"<</Type /Page /Parent 2 0 R>>",
               b"<</Type /Page /Parent 3 0 R>>",
               b"<</Type/Page/Parent 3 0 R /Contents 7 0 R>>"]
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (i, o) for i, o in enumerate(objects, start=1))
    # a drawing whose bytes look like page objects does not count
    body += b"7 0 obj\n<</Length 44>>\nstream\n1 0 obj <</Type /Page>> endobj /Type /Page\nendstream\nendobj\n"
    pdf_bytes = b"%PDF-1.4\n" + body + b"trailer <</Root 1 0 R>>\n%%EOF\n"
    assert pdf.count_pages(pdf_bytes) == 3
    with pytest.raises(ValueError, match="truncated"):
        pdf.count_pages(pdf_bytes[: len(pdf_bytes) // 2])
    with pytest.raises(ValueError, match="page tree"):  # leaves and /Count disagree
        pdf.count_pages(pdf_bytes.replace(b"/Count 3", b"/Count 4"))
    with pytest.raises(ValueError, match="page tree"):  # object streams: no page object visible
        pdf.count_pages(b"%PDF-1.5\n1 0 obj <</Type /ObjStm /N 3>> stream\nxx\nendstream endobj\n%%EOF\n")
    with pytest.raises(ValueError, match="not a PDF"):
        pdf.count_pages(b"<!DOCTYPE html>")


@browser_test
def test_printer_prints_a4_unless_css_sets_the_page_size(tmp_path):
    plain, a5 = tmp_path / "plain.html", tmp_path / "a5.html"
    plain.write_text(PAGES_HTML.format(style=""))
    a5.write_text(PAGES_HTML.format(style="<style>@page { size: A5 }</style>"))
    with pdf.Printer(browser.find_chromium()) as printer:
        first = printer.print_pdf(plain, tmp_path / "plain.pdf")
        second = printer.print_pdf(a5, tmp_path / "a5.pdf")  # the same browser, page reused
    data = (tmp_path / "plain.pdf").read_bytes()
    assert first.pages == 3 == pdf.count_pages(data)
    assert first.sha256 == sha(tmp_path / "plain.pdf") and first.bytes == len(data)
    assert first.html_sha256 == sha(plain)
    assert is_a4(media_boxes(data))  # A4 in points (210 x 297 mm)
    assert second.pages == 3
    assert media_boxes((tmp_path / "a5.pdf").read_bytes()) == {(420, 595)}  # the page's CSS wins
    assert not list(tmp_path.glob(".*partial"))


def _fake_chromium(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)
    return exe


def test_printer_failures_are_one_line_tool_errors(tmp_path, monkeypatch):
    page = tmp_path / "p.html"
    page.write_text(PAGES_HTML.format(style=""))
    # a browser that exits at once
    crashing = _fake_chromium(tmp_path, "echo 'fatal: no display' >&2; exit 3")
    with pytest.raises(ToolFailed) as info, pdf.Printer(crashing) as printer:
        printer.print_pdf(page, tmp_path / "p.pdf")
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"pdf: Chromium at {str(crashing)!r} exited")
    assert "exit code 3" in message and "fatal: no display" in message
    assert info.value.exit_code == EXIT_TOOL_MISSING == 5
    assert not (tmp_path / "p.pdf").exists()
    # a browser that never answers: stopped after the time allowed, its processes gone
    monkeypatch.setattr(pdf, "START_TIMEOUT_S", 1.0)
    marker = tmp_path / "hang-pid"
    hanging = _fake_chromium(tmp_path, f"echo $$ > {marker}; exec sleep 60")
    started = time.monotonic()
    with pytest.raises(ToolFailed, match=r"did not start within 1 s"), pdf.Printer(hanging) as printer:
        printer.print_pdf(page, tmp_path / "p.pdf")
    assert time.monotonic() - started < 30
    pid = int(marker.read_text())
    for _ in range(50):
        if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the hanging browser {pid} is still running")


# -- the build ---------------------------------------------------------------------------------

@browser_test
@ONE
def test_build_pdf_publishes_hashes_and_keeps_pdf_and_page_in_step(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    assert cli(root, "build", "--pdf") == 0
    out, err = capsys.readouterr()
    assert re.search(r"^built\s+fx-a\s+\d+\.\d s  PDF \d+ pages?, \d+\.\d s$", out, re.M), out
    assert re.search(r"1 built, 0 skipped, 0 failed; 1 PDF printed in \d+\.\d s", err), err
    m = json.loads((reports / "fx-a.json").read_text())
    doc = reports / "fx-a.pdf"
    assert m["pdf"]["sha256"] == sha(doc) and m["pdf"]["bytes"] == doc.stat().st_size
    assert m["pdf"]["pages"] == pdf.count_pages(doc.read_bytes()) >= 1
    assert m["pdf"]["html_sha256"] == m["html_sha256"] == sha(reports / "fx-a.html")
    assert m["pdf"]["file"] == "fx-a.pdf" and not (reports / ".staging").exists()
    assert is_a4(media_boxes(doc.read_bytes()))  # the report's @page A4

    # nothing changed: nothing printed, with or without --pdf; the PDF stays
    before = published_files(reports, "fx-a")
    for args in (["build", "--pdf"], ["build"]):
        assert cli(root, *args) == 0
        out, err = capsys.readouterr()
        assert re.search(r"^skipped\s+fx-a$", out, re.M) and "PDF" not in err
        assert published_files(reports, "fx-a") == before

    # a PDF deleted, edited or printed from another page: only the PDF is printed again
    html_before = sha(reports / "fx-a.html")
    for spoil in ("delete", "edit", "other page"):
        if spoil == "delete":
            doc.unlink()
        elif spoil == "edit":
            doc.write_bytes(doc.read_bytes()[:-100])
        else:
            m = json.loads((reports / "fx-a.json").read_text())
            m["pdf"]["html_sha256"] = "0" * 64
            (reports / "fx-a.json").write_text(json.dumps(m))
        assert publish.report_state(reports, "fx-a", m["fingerprint"], pdf=True) == "pdf"
        assert cli(root, "build", "--pdf") == 0
        out, _ = capsys.readouterr()
        assert re.search(r"^printed\s+fx-a\s+\d+\.\d s  PDF \d+ pages?$", out, re.M), (spoil, out)
        m = json.loads((reports / "fx-a.json").read_text())
        assert sha(doc) == m["pdf"]["sha256"] and m["pdf"]["html_sha256"] == m["html_sha256"]
        assert sha(reports / "fx-a.html") == html_before  # the page was not rebuilt

    # the page rebuilt without --pdf: the old PDF goes with the old page
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 2.5}}])
    assert cli(root, "build") == 0
    assert re.search(r"^built\s+fx-a\s+\d+\.\d s$", capsys.readouterr().out, re.M)
    m = json.loads((reports / "fx-a.json").read_text())
    assert "pdf" not in m and not doc.exists()
    # ... and `make pdf` then prints the current page without running the notebook again
    html_now = sha(reports / "fx-a.html")
    assert cli(root, "build", "--pdf") == 0
    assert re.search(r"^printed\s+fx-a", capsys.readouterr().out, re.M)
    m = json.loads((reports / "fx-a.json").read_text())
    assert sha(reports / "fx-a.html") == html_now == m["pdf"]["html_sha256"]
    assert sha(doc) == m["pdf"]["sha256"]

    # a recorded PDF spoiled, built without --pdf: the PDF and its record are removed
    doc.write_bytes(b"%PDF-1.4 not what was printed")
    assert cli(root, "build") == 0
    assert re.search(r"^skipped\s+fx-a\s+its PDF no longer matched: removed",
                     capsys.readouterr().out, re.M)
    m = json.loads((reports / "fx-a.json").read_text())
    assert "pdf" not in m and not doc.exists() and sha(reports / "fx-a.html") == html_now
    assert publish.report_state(reports, "fx-a", m["fingerprint"]) == "current"


@browser_test
@TWO
def test_chromium_failure_exits_5_and_leaves_the_published_report(mini_project, capsys, monkeypatch,
                                                                  tmp_path):
    root = mini_project
    reports = root / "reports"
    assert cli(root, "build", "--pdf") == 0
    before = published_files(reports, "fx-a")
    assert "fx-a.pdf" in before
    capsys.readouterr()

    # Chromium fails while printing a rebuilt report: exit 5, one line, nothing published
    monkeypatch.setenv(browser.CHROMIUM_ENV,
                       str(_fake_chromium(tmp_path, "echo 'crashed on purpose' >&2; exit 1")))
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 3.0}}])
    assert cli(root, "build", "--pdf") == EXIT_TOOL_MISSING
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: pdf: Chromium at "), err
    assert "exited (exit code 1)" in err[0] and "the published reports are unchanged" in err[0]
    assert published_files(reports, "fx-a") == before
    assert not (reports / ".staging").exists()
    # no Chromium at all: exit 5 before any notebook runs
    monkeypatch.setenv(browser.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    started = time.monotonic()
    assert cli(root, "build", "--pdf") == EXIT_TOOL_MISSING
    assert "no executable Chromium" in capsys.readouterr().err
    assert time.monotonic() - started < 5
    assert published_files(reports, "fx-a") == before

    # killed between moving the page and its PDF: no manifest, so the next build redoes it
    monkeypatch.delenv(browser.CHROMIUM_ENV)

    def boom(step: str) -> None:
        if step == "html-moved":
            raise KeyboardInterrupt

    monkeypatch.setattr(publish, "_after_step", boom)
    assert cli(root, "build") == 130
    assert not (reports / "fx-a.json").exists() and (reports / "fx-a.pdf").exists()
    monkeypatch.setattr(publish, "_after_step", lambda step: None)
    assert cli(root, "build") == 0  # the stale PDF beside the new page is the suite's: removed
    m = json.loads((reports / "fx-a.json").read_text())
    assert m["provenance"]["parameters"]["scale"] == 3.0
    assert "pdf" not in m and not (reports / "fx-a.pdf").exists()


@TWO
def test_a_pdf_the_suite_did_not_write_is_not_replaced(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    reports.mkdir()
    mine = reports / "fx-a.pdf"
    mine.write_bytes(b"%PDF-1.4 someone's own file")
    assert cli(root, "build") == 2
    err = capsys.readouterr().err
    assert "the file" in err and "fx-a.pdf" in err and "was not written by sharedservices" in err
    assert mine.read_bytes() == b"%PDF-1.4 someone's own file"
    assert not (reports / "fx-a.html").exists()
