"""Benchmark the explorer: one recompute through the widget path, per kind of change.

Target (issue 6): well under 100 ms per change.  A change is timed from setting a
control's ``value`` (as a slider move does) until the chart PNG and the metrics panel are
updated: schema validation, ``scenario.run_from_params``, the chart (blitted, or fully
redrawn when its limits change) and the panel.  Run ``python bench/bench_explorer.py``
(uses the processed data in data/processed); it prints the median, 90th percentile and
worst time per kind of change, and how the time splits between model and chart.

``python bench/bench_explorer.py --browser`` also measures the round trip a user sees:
it starts JupyterLab on a free local port, opens ``notebooks/explorer.ipynb`` in headless
Chromium (the one :mod:`sharedservices.pipeline.browser` uses), runs it, types values into
the savings-multiplier slider and times each until the chart image changes.  JupyterLab
is stopped afterwards.  ``--browser --screenshot docs/img/explorer.png`` also saves the
window at the end (the README's picture).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import matplotlib

matplotlib.use("Agg")

from sharedservices.inputs import paths  # noqa: E402
from sharedservices.report import (
    explorer,  # noqa: E402
    scenarios,
)

ROUNDS = 5
BROWSER_CHANGES = 12


def _time(ex: explorer.Explorer, name: str, values: list) -> list[float]:
    out = []
    for v in values:
        t0 = time.perf_counter()
        ex.controls[name].value = v
        out.append(1000 * (time.perf_counter() - t0))
        if ex.error:
            raise SystemExit(f"bench: {name}={v!r} was refused: {ex.error}")
    return out


def _row(label: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10)[-1] if len(ms) >= 2 else ms[0]
    return f"{label:<44} n={len(ms):>3}  median {statistics.median(ms):6.1f} ms  p90 {q:6.1f} ms  max {max(ms):6.1f} ms"


def main() -> None:
    t0 = time.perf_counter()
    ex = explorer.Explorer("E2532")
    first = 1000 * (time.perf_counter() - t0)
    sweeps = {
        "savings multiplier (slider, blitted)": ("savings_multiplier", [1.0 + 0.02 * i for i in range(1, 11)]),
        "delay years (slider)": ("delay_years", [0.1 * i for i in range(1, 11)] + [0.0]),
        "discount schedule (toggle)": ("discount", ["none", "green_book"]),
        "financing option (dropdown)": ("financing", ["borrowing", "gain_share", "grant", "revenue", "reserves"]),
        "programme preset (dropdown)": ("programme", ["back_office_waste", "broad", "public_realm", "back_office"]),
        "cut path (toggle)": ("cut_path", ["actual", "parametric", "sr2010"]),
        "council (picker, new limits)": ("council", ["Manchester", "E0521", "E06000054", "E5014", "E2532"]),
    }
    times: dict[str, list[float]] = {k: [] for k in sweeps}
    redraws0 = ex.chart.full_redraws
    for _ in range(ROUNDS):
        for label, (name, values) in sweeps.items():
            times[label] += _time(ex, name, values)
    redraws = ex.chart.full_redraws - redraws0
    # How one change splits: the model alone, and the chart alone.
    values = dict(ex.values)
    model = []
    for _ in range(50):
        t = time.perf_counter()
        r = scenarios.run_from_params(values)
        model.append(1000 * (time.perf_counter() - t))
    chart, blit = [], []
    for _ in range(20):
        t = time.perf_counter()
        ex.chart._limits = None  # force a full redraw
        ex.chart.update(r.timing, r.metrics["payback_year"])
        chart.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        ex.chart.update(r.timing, r.metrics["payback_year"])
        blit.append(1000 * (time.perf_counter() - t))
    every = [x for v in times.values() for x in v]
    print(f"explorer benchmark ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"python {sys.version.split()[0]})")
    print(f"first build (controls, council list, data load, first chart): {first:.0f} ms")
    for label, ms in times.items():
        print(_row(label, ms))
    print(_row("all changes", every))
    print(f"full chart redraws: {redraws} of {len(every)} changes")
    print(_row("  model only (run_from_params)", model))
    print(_row("  chart, full redraw + PNG", chart))
    print(_row("  chart, blit + PNG", blit))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_round_trip(changes: int = BROWSER_CHANGES, screenshot: str | None = None) -> list[float]:
    """Milliseconds from pressing Enter in the slider's readout to a new chart image.

    With ``screenshot``, a PNG of the JupyterLab window is saved there at the end (the
    README's picture of the explorer).
    """
    from playwright.sync_api import sync_playwright
    from sharedservices.pipeline.browser import find_chromium

    port, token = _free_port(), secrets.token_hex(8)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
           "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
           f"--notebook-dir={paths.NOTEBOOKS_DIR}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    lab = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(find_chromium()))
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"{base}/lab/tree/explorer.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            time.sleep(3)
            page.click(".jp-Notebook .jp-Cell >> nth=1")
            page.keyboard.press("Escape")
            page.click("div.lm-MenuBar-itemLabel:text('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            page.wait_for_selector(".widget-image", timeout=120_000)
            time.sleep(2)
            readout = page.locator(".widget-hslider:has-text('savings multiplier') .widget-readout")
            out = []
            for i in range(changes):
                before = page.locator(".widget-image").get_attribute("src")
                readout.click()
                page.keyboard.press("Control+A")
                page.keyboard.type(f"{1.0 + 0.05 * (i + 1):.2f}")
                t0 = time.perf_counter()
                page.keyboard.press("Enter")
                page.wait_for_function("(b) => document.querySelector('.widget-image').src !== b",
                                       arg=before, timeout=10_000)
                out.append(1000 * (time.perf_counter() - t0))
            if screenshot:
                news = page.locator(".jp-toast-button:has-text('No')")
                if news.count():
                    news.first.click(timeout=2_000)
                page.hover(".widget-image")
                page.mouse.wheel(0, 420)
                time.sleep(1)
                page.screenshot(path=screenshot)
            browser.close()
        return out
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
    if "--browser" in sys.argv[1:]:
        shot = None
        if "--screenshot" in sys.argv[1:]:
            shot = sys.argv[sys.argv.index("--screenshot") + 1]
        print(_row("browser round trip (JupyterLab, Chromium)", browser_round_trip(screenshot=shot)))
