"""Benchmark the explorer: one recompute through the widget path, per kind of change.

Target (issue 6): well under 100 ms per change.  A change is timed from setting a
control's ``value`` (as a slider move does) until the chart PNG and the metrics panel are
updated: schema validation, ``scenario.run_from_params``, the chart (blitted, or fully
redrawn when its limits change) and the panel.  Run ``python bench/bench_explorer.py``
(uses the processed data in data/processed); it prints the median, 90th percentile and
worst time per kind of change, and how the time splits between model and chart.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

from sharedservices import explorer, scenario  # noqa: E402

ROUNDS = 5


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
        r = scenario.run_from_params(values)
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


if __name__ == "__main__":
    main()
