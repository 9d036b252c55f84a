"""Benchmark ``batch``: every council in England, against a plain papermill + nbconvert loop.

Run ``python bench/bench_batch.py`` (``make bench`` runs it).  In one run, on this machine and
never estimated, it measures:

* **the batch**: ``batch notebooks/30-payback-vs-cuts.ipynb --councils all --force`` with
  default parameters and the default ``-j`` (what ``make council-reports ARGS=--force``
  runs), into a temporary reports folder (the project's ``reports/`` is not touched): wall
  seconds from the start of the command to its end (validation, kernel start-up, every
  council, the index), reports a minute, the peak resident memory of the whole process
  tree (the batch, its workers and their kernels, summed from /proc every 0.25 s), and the
  CPU seconds each kind of process used (the profile of where the time goes);
* **the plain loop**: for ``-n`` of the same councils (default 20, spread over the list),
  what a user would type without the suite: ``papermill NOTEBOOK OUT.ipynb -k sharedservices
  --cwd NOTEBOOK_DIR -p council CODE`` then ``jupyter nbconvert --to html --no-input
  OUT.ipynb``, one council after another;
* **the ratio**: seconds per report of the batch over seconds per report of the plain loop
  (target of issue 16: at most 0.25), with the batch's throughput (target: at least 120
  reports a minute, all 353 councils in under 3 minutes) and memory (under 2 GiB).

The load average before each part is recorded: on a shared machine it matters.  Prints a
Markdown section; ``--output FILE`` also writes it there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from sharedservices.inputs import data, paths

KERNEL = "sharedservices"
BIN = Path(sys.executable).parent
NOTEBOOK = paths.ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"
#: Targets of issue 16.
TARGET_PER_MINUTE = 120.0
TARGET_RATIO = 0.25
TARGET_MEMORY = 2 * 2**30
_DRIVER = """\
import sys, time
from pathlib import Path
from sharedservices.pipeline.batch import batch
started = time.perf_counter()
summary = batch(Path(sys.argv[1]), sys.argv[2], {}, reports_dir=Path(sys.argv[3]), force=True)
print("BENCH", time.perf_counter() - started, len(summary.by_status("built")), len(summary.failed), flush=True)
sys.exit(1 if summary.failed else 0)
"""


def _kind(cmdline: str) -> str:
    if "ipykernel" in cmdline:
        return "kernels"
    if "sharedservices.pipeline.warm" in cmdline:
        return "workers (papermill, export)"
    if "sharedservices.pipeline.execute" in cmdline:
        return "cold workers"
    if "BENCH" in cmdline or "sharedservices" in cmdline:
        return "batch (validation, publishing, index)"
    return "other"


class TreeSampler:
    """Samples a process tree from /proc: peak resident memory summed, CPU seconds by kind."""

    def __init__(self, root_pid: int, every: float = 0.25) -> None:
        self.root = root_pid
        self.every = every
        self.peak = 0
        self.cpu: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")
        self._page = os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        parent: dict[int, int] = {}
        stats: dict[int, tuple[int, float]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                rss = int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * self._page
            except (OSError, IndexError, ValueError):
                continue
            parent[int(entry)] = int(stat[1])
            stats[int(entry)] = (rss, (int(stat[11]) + int(stat[12])) / self._tick)
        tree, todo = [], [self.root]
        children: dict[int, list[int]] = {}
        for pid, ppid in parent.items():
            children.setdefault(ppid, []).append(pid)
        while todo:
            pid = todo.pop()
            if pid in stats:
                tree.append(pid)
            todo.extend(children.get(pid, []))
        self.peak = max(self.peak, sum(stats[p][0] for p in tree))
        for pid in tree:
            kind = self.cpu.get(pid, ("", 0.0))[0]
            if not kind:
                try:
                    kind = _kind(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
                except OSError:
                    kind = "other"
            self.cpu[pid] = (kind, stats[pid][1])

    def cpu_by_kind(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for kind, seconds in self.cpu.values():
            out[kind] = out.get(kind, 0.0) + seconds
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def run_batch(councils: str = "all") -> dict:
    """The forced batch of every council, in a child process; wall, memory and CPU."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        load = os.getloadavg()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _DRIVER, str(NOTEBOOK), councils, tmp],
                                cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=dict(os.environ, BENCH="1"))
        with TreeSampler(proc.pid) as sampler:
            out, err = proc.communicate()
        wall = time.perf_counter() - started
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"bench_batch: the batch exited {proc.returncode}: {err.strip()[-400:]}")
    _, inner, built, failed = line.split()
    return {"wall": wall, "inner": float(inner), "built": int(built), "failed": int(failed),
            "peak": sampler.peak, "cpu": sampler.cpu_by_kind(), "load": load}


def _run(command: Sequence[str | os.PathLike[str]]) -> None:
    done = subprocess.run([str(c) for c in command], cwd=paths.ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SystemExit(f"bench_batch: `{' '.join(map(str, command))}` exited {done.returncode}: {' | '.join(tail)}")


def plain_loop(codes: list[str]) -> dict:
    """papermill then nbconvert, council after council, into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="bench-plain-") as tmp:
        load = os.getloadavg()
        started = time.perf_counter()
        for code in codes:
            executed = Path(tmp) / f"{code}.ipynb"
            _run([BIN / "papermill", NOTEBOOK, executed, "-k", KERNEL, "--cwd", NOTEBOOK.parent,
                  "-p", "council", code])
            _run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed])
        wall = time.perf_counter() - started
        missing = [c for c in codes if not (Path(tmp) / f"{c}.html").is_file()]
    if missing:
        raise SystemExit(f"bench_batch: the plain loop wrote no HTML for {', '.join(missing)}")
    return {"wall": wall, "load": load}


def spread(codes: list[str], n: int) -> list[str]:
    """``n`` codes spread evenly over ``codes`` (every class is met).

    Examples
    --------
    >>> spread(list("abcdefghij"), 3)
    ['a', 'd', 'g']
    """
    n = max(1, min(n, len(codes)))
    return [codes[i * len(codes) // n] for i in range(n)]


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def render(batch: dict, plain: dict, codes: list[str], total: int) -> str:
    """The Markdown section."""
    per_min = 60 * batch["built"] / batch["wall"]
    per_batch = batch["wall"] / batch["built"]
    per_plain = plain["wall"] / len(codes)
    ratio = per_batch / per_plain
    cpu = batch["cpu"]
    cpu_total = sum(cpu.values())
    loads = ", ".join(f"{x:.2f}" for x in batch["load"])
    lines = [
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `python bench/bench_batch.py` "
        f"on {os.cpu_count()} CPUs, in one run (load average at the start of the batch, 1, 5 and 15 "
        f"min: {loads}; at the start of the plain loop: {plain['load'][0]:.2f}).",
        "",
        "| | reports | wall s | s per report | reports a minute | peak memory (process tree) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `batch notebooks/30-payback-vs-cuts.ipynb --councils all --force` (default -j = {os.cpu_count()}) "
        f"| {batch['built']} of {total} | {batch['wall']:.1f} | {per_batch:.2f} | {per_min:.1f} | "
        f"{batch['peak'] / 2**20:,.0f} MiB |",
        f"| plain `papermill` + `jupyter nbconvert`, one council after another | {len(codes)} | "
        f"{plain['wall']:.1f} | {per_plain:.2f} | {60 / per_plain:.1f} | |",
        "",
        f"Time per report, batch against the plain loop: **{ratio:.3f}** ({per_plain / per_batch:.1f}x faster).",
        "",
        "| Target (issue 16) | measured | |",
        "|---|---|---|",
        f"| all {total} councils in under 3 minutes, at least {TARGET_PER_MINUTE:.0f} reports a minute | "
        f"{batch['wall']:.1f} s, {per_min:.1f} a minute | {_met(per_min >= TARGET_PER_MINUTE and batch['wall'] < 180)} |",
        f"| each report at most {TARGET_RATIO} of the plain loop's time | {ratio:.3f} | {_met(ratio <= TARGET_RATIO)} |",
        f"| peak resident memory of the whole process tree under 2 GiB | {batch['peak'] / 2**20:,.0f} MiB | "
        f"{_met(batch['peak'] < TARGET_MEMORY)} |",
        "",
        f"Where the batch's time goes: CPU seconds by process ({cpu_total:.0f} s in all, "
        f"{cpu_total / batch['built']:.2f} s a council; {os.cpu_count()} CPUs over {batch['wall']:.0f} s "
        f"offer {os.cpu_count() * batch['wall']:.0f} s):",
        "",
        "| process | CPU s | per council | share |",
        "|---|---:|---:|---:|",
        *[f"| {kind} | {s:.1f} | {s / batch['built']:.3f} | {100 * s / cpu_total:.0f} % |"
          for kind, s in cpu.items() if s >= 0.05],
        "",
        f"Councils of the plain loop ({len(codes)}, spread over the list): " + ", ".join(f"`{c}`" for c in codes) + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=20, help="councils of the plain loop (default 20)")
    p.add_argument("--councils", default="all", help="selection of the batch (default all)")
    p.add_argument("--output", help="also write the Markdown section to this file")
    args = p.parse_args(argv)
    everyone = data.select_councils(args.councils)
    codes = spread(everyone, args.n)
    print(f"bench_batch: plain loop over {len(codes)} councils ...", file=sys.stderr, flush=True)
    plain = plain_loop(codes)
    print(f"bench_batch: plain {plain['wall']:.1f} s; batch of {len(everyone)} ...", file=sys.stderr, flush=True)
    batch = run_batch(args.councils)
    print(f"bench_batch: batch {batch['wall']:.1f} s, peak {batch['peak'] / 2**20:.0f} MiB, "
          f"cpu {json.dumps({k: round(v, 1) for k, v in batch['cpu'].items()})}", file=sys.stderr, flush=True)
    text = render(batch, plain, codes, len(everyone))
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
