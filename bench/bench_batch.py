"""Benchmark ``batch``: council reports per minute, warm kernel pool against cold starts.

Run ``python bench/bench_batch.py`` (defaults: ``notebooks/30-payback-vs-cuts.ipynb``, the
first 20 London boroughs, ``-j 2``).  For each executor it runs the whole batch with
``--force`` into a temporary reports folder (the project's ``reports/`` is not touched) and
measures, on this machine and never estimated:

* **wall seconds** for the batch (validation, all councils, index page);
* **reports per minute** = councils / wall minutes;
* **median seconds per council** as the progress lines report them (queueing excluded).

``warm`` is the default executor (pre-started, pre-imported kernels, one per council);
``cold`` starts a worker process and kernel per council, as ``build`` does.  Executors
alternate from round to round so that drift in the machine's load falls on each alike.
The load average before each run is printed, because on a shared machine it matters.
Prints a Markdown table; ``--output FILE`` also writes it there.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sharedservices.inputs import data, paths
from sharedservices.pipeline.batch import batch


def run_once(notebook: Path, councils: list[str], executor: str, jobs: int) -> dict:
    """One forced batch into a temporary reports folder; return its measurements."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        load = os.getloadavg()[0]
        started = time.monotonic()
        summary = batch(notebook, ",".join(councils), {}, reports_dir=Path(tmp), jobs=jobs,
                        force=True, executor=executor, out=io.StringIO(), err=io.StringIO())
        wall = time.monotonic() - started
    if summary.failed:
        raise SystemExit(f"bench_batch: {executor}: councils failed: {', '.join(summary.failed)}")
    per = [o.seconds for o in summary.outcomes if o.status == "built"]
    return {"executor": executor, "wall": wall, "per_minute": 60 * len(councils) / wall,
            "median": statistics.median(per), "load": load}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notebook", default=str(paths.ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"))
    p.add_argument("--councils", default="L", help="selection as for batch --councils (default L)")
    p.add_argument("-n", type=int, default=20, help="use the first N councils (default 20)")
    p.add_argument("-j", "--jobs", type=int, default=2)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--executors", default="warm,cold")
    p.add_argument("--output", help="also write the Markdown table to this file")
    args = p.parse_args(argv)
    councils = data.select_councils(args.councils)[: args.n]
    executors = args.executors.split(",")
    results = []
    for r in range(args.rounds):
        order = executors if r % 2 == 0 else executors[::-1]
        for ex in order:
            res = run_once(Path(args.notebook), councils, ex, args.jobs)
            print(f"round {r + 1} {ex}: {res['wall']:.1f} s, {res['per_minute']:.1f} reports/min, "
                  f"median {res['median']:.1f} s/council, load {res['load']:.1f}",
                  file=sys.stderr, flush=True)
            results.append(res)
    lines = [
        f"Batch of {len(councils)} councils ({args.councils}) of "
        f"`{Path(args.notebook).name}`, -j {args.jobs}, {os.cpu_count()} CPUs, "
        f"{args.rounds} round(s).",
        "",
        "| executor | wall s (best) | reports/min (best) | median s per council | load avg 1 min |",
        "|---|---:|---:|---:|---:|",
    ]
    for ex in executors:
        rs = [x for x in results if x["executor"] == ex]
        best = min(rs, key=lambda x: x["wall"])
        lines.append(f"| {ex} | {best['wall']:.1f} | {best['per_minute']:.1f} | "
                     f"{statistics.median(x['median'] for x in rs):.1f} | "
                     f"{statistics.mean(x['load'] for x in rs):.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
