"""Real-browser checks of built reports (``python -m sharedservices.pipeline.browser``).

The browser tests open the small HTML fixtures in tests/fixtures/browser/ in headless
Chromium.  They are skipped when no Chromium is installed, except under ``CI=true``,
where a missing browser must fail them.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import browser_test
from sharedservices.errors import (
    EXIT_INVALID_INPUT,
    EXIT_TOOL_MISSING,
    InputError,
    OutputError,
    ToolMissing,
)
from sharedservices.pipeline import browser

FIXTURES = Path(__file__).parent / "fixtures" / "browser"
BAD_FIXTURES = {
    # fixture -> words that the one problem found must contain
    "broken-image.html": ["image 2", "does not decode"],
    "remote-script.html": ["network request blocked", "https://cdn.example.com/plotly.min.js"],
    "console-error.html": ["console error", "figure data missing"],
    "missing-anchor.html": ["#4-sensitivity", "no element has that id"],
    "not-a-heading.html": ["#note", "<p>, not a heading"],
    "hidden-heading.html": ["#annex", "heading that is not displayed"],
    "hanging-script.html": ["did not finish loading and rendering within 5 s"],
}


def _run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = browser.main(argv)
    return code, out.getvalue(), err.getvalue()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _report_tree(root: Path, names: list[str]) -> Path:
    """A reports directory holding the named fixtures, a council report and private files."""
    root.mkdir(parents=True)
    for name in names:
        shutil.copy(FIXTURES / name, root / name)
    (root / "councils" / "E0101").mkdir(parents=True)
    shutil.copy(FIXTURES / "good.html", root / "councils" / "E0101" / "30-payback.html")
    for private in ["_failed/broken.html", "_screens/old.html", "adhoc/run.html"]:
        (root / private).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / "console-error.html", root / private)
    return root


# --- without a browser -------------------------------------------------------------


def test_discovery_takes_published_reports_and_skips_private_folders(tmp_path):
    root = _report_tree(tmp_path / "reports", ["good.html", "console-error.html"])
    (root / "good").mkdir()  # the report's own output folder
    (root / "good" / "table.html").write_text("<p>not a report</p>")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "good.html").write_text("<p>not a report</p>")

    found = [p.relative_to(root).as_posix() for p in browser.discover_reports(root)]

    assert found == ["console-error.html", "good.html", "councils/E0101/30-payback.html"]


def test_targets_put_screenshots_under_screens_mirroring_the_tree(tmp_path):
    root = _report_tree(tmp_path / "reports", ["good.html"])
    single = tmp_path / "elsewhere" / "one.html"
    single.parent.mkdir()
    shutil.copy(FIXTURES / "good.html", single)

    targets = browser.collect_targets([root, single])

    assert [(t.path, t.screenshot) for t in targets] == [
        (root / "good.html", root / "_screens" / "good.png"),
        (root / "councils/E0101/30-payback.html", root / "_screens/councils/E0101/30-payback.png"),
        (single, tmp_path / "elsewhere" / "_screens" / "one.png"),
    ]
    redirected = browser.collect_targets([root], screens_dir=tmp_path / "shots")
    assert redirected[0].screenshot == tmp_path / "shots" / "good.png"
    assert {t.screens_dir for t in targets} == {root / "_screens", tmp_path / "elsewhere" / "_screens"}


@pytest.mark.parametrize(
    "argv, words",
    [
        (["{tmp}/missing"], ["does not exist"]),
        (["{tmp}/notes.txt"], ["not an HTML file"]),
        (["{tmp}/empty"], ["no HTML reports"]),
        (["--jobs", "0", "{tmp}/empty"], ["--jobs", "'0'"]),
        (["--timeout", "nan", "{tmp}/empty"], ["--timeout", "'nan'"]),
        (["--colour", "{tmp}/empty"], ["unrecognized arguments", "--colour"]),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, argv, words):
    (tmp_path / "notes.txt").write_text("not html")
    (tmp_path / "empty").mkdir()

    code, out, err = _run_main([a.format(tmp=tmp_path) for a in argv])

    assert code == EXIT_INVALID_INPUT
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("check-reports: ")
    for word in words:
        assert word in err


def test_collect_targets_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        browser.collect_targets([tmp_path / "nope"])


@pytest.mark.parametrize("ci, words", [("", ["apt-get install chromium"]), ("true", ["CI requires it"])])
def test_missing_browser_exits_5_and_says_how_to_install(tmp_path, ci, words):
    reports = _report_tree(tmp_path / "reports", ["good.html"])
    env = dict(os.environ, SHAREDSERVICES_CHROMIUM=str(tmp_path / "no-chromium"), CI=ci)

    done = subprocess.run(
        [sys.executable, "-m", "sharedservices.pipeline.browser", str(reports)],
        env=env, capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == EXIT_TOOL_MISSING, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "SHAREDSERVICES_CHROMIUM" in done.stderr and str(tmp_path / "no-chromium") in done.stderr
    for word in words:
        assert word in done.stderr
    assert not list((reports / "_screens").rglob("*.png"))


def test_an_explicit_browser_path_is_not_replaced_by_a_default(tmp_path):
    not_executable = tmp_path / "chromium"
    not_executable.write_text("#!/bin/sh\n")
    with pytest.raises(ToolMissing, match="so the report checks did not run"):
        browser.find_chromium({"SHAREDSERVICES_CHROMIUM": str(not_executable)})


# --- in the browser ----------------------------------------------------------------


@browser_test
def test_mixed_reports_each_judged_right_with_screens_and_exit_1(tmp_path):
    # One test, one browser: pytest-xdist 3.8's loadgroup does not group tests under
    # pytest 9, so a shared module fixture could start the browser once per worker.
    root = _report_tree(tmp_path / "reports", sorted(p.name for p in FIXTURES.glob("*.html")))

    # The hanging page holds one of the two pages for --timeout seconds; the other page
    # checks the rest meanwhile, and the browser is still usable afterwards.
    code, out, err = _run_main(["--jobs", "2", "--timeout", "5", str(root)])

    assert code == 1, err
    assert err == ""
    lines = out.splitlines()
    by_file = {line[6:].split(" (")[0]: line for line in lines[:-1]}
    assert sorted(by_file) == sorted(str(p) for p in browser.discover_reports(root))
    assert len(by_file) == len(list(FIXTURES.glob("*.html"))) + 1  # + the council report
    wrong = []
    for name, words in BAD_FIXTURES.items():
        line = by_file[str(root / name)]
        problems = line.split("): ", 1)[1].split("; ") if line.startswith("FAIL  ") else []
        if len(problems) != 1 or not all(word in problems[0] for word in words):
            wrong.append(f"{name}: expected one problem with {words}, got {line!r}")
    assert not wrong, "\n".join(wrong)
    for good in [root / "good.html", root / "councils/E0101/30-payback.html"]:
        assert by_file[str(good)].startswith("ok    "), by_file[str(good)]
        assert "1 image, 5 contents links" in by_file[str(good)]
    assert lines[-1].startswith(f"check-reports: {len(by_file)} reports in ")
    assert f"2 ok, {len(BAD_FIXTURES)} failed" in lines[-1] and "pages/s" in lines[-1]

    screens = root / "_screens"
    shots = sorted(p.relative_to(screens).as_posix() for p in screens.rglob("*.png"))
    expected = [p.stem + ".png" for p in FIXTURES.glob("*.html") if p.name != "hanging-script.html"]
    expected.append("councils/E0101/30-payback.png")
    assert shots == sorted(expected)
    assert _png_size(screens / "good.png") == (browser.VIEWPORT["width"], browser.VIEWPORT["height"])


@browser_test
def test_all_good_reports_exit_0_in_order_with_screens_redirected(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    for name in ["b.html", "a.html", "index.html"]:
        shutil.copy(FIXTURES / "good.html", root / name)
    shots = tmp_path / "shots"

    code, out, err = _run_main(["--jobs", "3", "--screens-dir", str(shots), str(root)])

    assert code == 0, out + err
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["ok", str(root / n)] for n in ["a.html", "b.html", "index.html"]]
    assert lines[-1].endswith(f"3 ok, 0 failed; first screens under {shots}")
    assert sorted(p.name for p in shots.iterdir()) == ["a.png", "b.png", "index.png"]
    assert not (root / "_screens").exists()


def test_unwritable_screenshot_is_an_output_error(tmp_path):
    (tmp_path / "screens").write_text("a plain file where a folder belongs")
    with pytest.raises(OutputError, match="screenshot: cannot write") as caught:
        browser._write_screenshot(tmp_path / "screens" / "good.png", b"\x89PNG")
    assert caught.value.exit_code == 4
