"""The explorer as an app: ``voila notebooks/explorer.ipynb`` in a real browser.

Starts Voilà the way the README says (``.venv/bin/voila notebooks/explorer.ipynb`` from
the repository root; ``make explore`` runs the same) on a free port, opens the page in
headless Chromium with every request that leaves this machine refused, waits for the live
widgets, changes the programme and checks that the metrics panel then shows the model's
numbers for the new programme.  The server and its kernel are always stopped.

Skipped when no Chromium is installed, except under ``CI=true`` (where it must run).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sharedservices.inputs import paths
from sharedservices.pipeline import browser
from sharedservices.report import explorer, scenarios
from test_batch_index_browser import _chromium  # skips without Chromium, except under CI=true

GROUP = pytest.mark.xdist_group("explorer-voila")
VOILA = Path(sys.executable).with_name("voila")
#: Seconds allowed for Voilà to start and for the page to show its widgets (a loaded
#: 2-core machine takes tens of seconds: kernel start, imports, the first model run).
START_TIMEOUT_S = 120
WIDGETS_TIMEOUT_S = 180
#: The address Voilà prints once it serves (its port may differ from the one asked for).
_URL = re.compile(r"http://(?:localhost|127\.0\.0\.1):(\d+)/")
TEMPLATE_SRC = paths.ROOT / "lib" / "sharedservices" / "report" / "voila"
TEMPLATE_DIR = Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates" / "sharedservices-explorer"


def test_the_environment_holds_the_explorers_voila_template_as_committed() -> None:
    """`make venv` copies the template and the config that makes it Voila's default into .venv."""
    for src in sorted((TEMPLATE_SRC / "template").iterdir()):
        installed = TEMPLATE_DIR / src.name
        assert installed.is_file(), f"{installed} missing: run `make venv`"
        assert installed.read_bytes() == src.read_bytes(), f"{installed} is stale: run `make venv`"
    config = Path(sys.prefix) / "etc" / "jupyter" / "voila.json"
    assert config.read_bytes() == (TEMPLATE_SRC / "voila.json").read_bytes(), f"{config}: run `make venv`"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc), e.g. the kernels Voilà started."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return False


@contextlib.contextmanager
def _voila(log: Path) -> Iterator[tuple[str, float, subprocess.Popen]]:
    """Run ``voila notebooks/explorer.ipynb`` from the repository root; yield its URL (on
    127.0.0.1), the perf_counter time it was started and the process.  Stops it, and
    every kernel it started, on the way out whatever happened."""
    port = _free_port()
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(VOILA), "notebooks/explorer.ipynb", "--no-browser", f"--port={port}"],
            cwd=paths.ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    kernels: set[int] = set()
    try:
        deadline = started + START_TIMEOUT_S
        while not (m := _URL.search(log.read_text(errors="replace"))):
            assert proc.poll() is None, f"voila exited with {proc.returncode}: {log.read_text()[-2000:]}"
            assert time.perf_counter() < deadline, f"voila not serving after {START_TIMEOUT_S} s"
            time.sleep(0.1)
        url = f"http://127.0.0.1:{m.group(1)}/"
        yield url, started, proc
        kernels.update(_children(proc.pid))
    finally:
        kernels.update(_children(proc.pid))
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # Voilà shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
        for pid in kernels:
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _flags() -> list[str]:
    """The report checks' Chromium flags, with this machine's own address let through:
    names still resolve to nothing, so nothing can leave the machine."""
    flags = [f for f in browser.CHROMIUM_FLAGS if not f.startswith(("--proxy", "--host-resolver-rules"))]
    return [*flags, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def _metric(page, label: str) -> str:
    row = page.locator(".widget-html table.ss-explorer-metrics tr", has=page.locator(f"th:text-is('{label}')"))
    return row.locator("td").inner_text().strip()


@GROUP
def test_voila_serves_the_explorer_ready_and_a_control_changes_the_metrics(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    exe = _chromium()
    assert VOILA.is_file(), f"{VOILA} missing: voila is pinned in requirements.txt (`make venv`)"
    label = "Steady-state net saving"
    start = scenarios.run_from_params({"council": "E2532"})
    broad = scenarios.run_from_params({"council": "E2532", "programme": "broad"})
    want_start = explorer.format_metrics(start.metrics, start.settings)[label]
    want_broad = explorer.format_metrics(broad.metrics, broad.settings)[label]
    assert want_start != want_broad  # else the move below could not show anything

    with _voila(tmp_path / "voila.log") as (url, started, proc), sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(exe), headless=True, chromium_sandbox=False,
                               args=_flags())
        try:
            page = b.new_page(viewport={"width": 1280, "height": 900})
            off_machine: list[tuple[str, str]] = []
            errors: list[str] = []

            def route(r) -> None:
                if r.request.url.startswith(url):
                    r.continue_()
                else:
                    off_machine.append((r.request.resource_type, r.request.url))
                    r.abort("internetdisconnected")

            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, wait_until="commit", timeout=WIDGETS_TIMEOUT_S * 1000)
            page.wait_for_selector(".widget-html table.ss-explorer-metrics",
                                   timeout=WIDGETS_TIMEOUT_S * 1000)
            seconds = time.perf_counter() - started
            print(f"\nvoila: widgets shown {seconds:.1f} s after starting the server")

            # it ran on opening and hides the code
            assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor").count() == 0
            assert page.locator(".jp-MarkdownCell").count() == 1  # the notebook's text is shown
            text = page.content()
            assert "explorer.show(council)" not in text and 'council: str = "E2532"' not in text
            assert _metric(page, label) == want_start
            # the front-loading control shows the SR2010 path's own index, not 0.00
            fl = page.locator(".widget-slider", has=page.locator("label:text-is('front loading')"))
            assert fl.locator(".widget-readout").inner_text().strip() == \
                f"{start.metrics['front_loading_index']:.2f}"

            # move a control: the panel shows the model's numbers for the new programme
            programme = page.locator(".widget-dropdown", has=page.locator("label:text-is('programme')"))
            programme.locator("select").select_option("broad")
            page.wait_for_function(
                "([label, old]) => [...document.querySelectorAll('table.ss-explorer-metrics tr')]"
                ".some(r => r.querySelector('th')?.textContent === label"
                " && r.querySelector('td')?.textContent !== old)",
                arg=[label, want_start], timeout=60_000)
            assert _metric(page, label) == want_broad
            assert page.locator(".widget-html b", has_text="East Lindsey").count() == 1

            assert errors == []
            # offline: nothing leaves the machine (Voila's CDN stylesheets are left out by
            # the project's template, lib/sharedservices/report/voila/)
            assert off_machine == []
        finally:
            b.close()
        assert proc.poll() is None, "voila stopped while the page was open"
