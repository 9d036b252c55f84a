"""``make bench``: every benchmark of issue 7, written to BENCHMARKS.md at the repository root.

1. the published set, ``build --force`` (-j 1 and default -j) against the plain toolchain,
   and the no-op build: :mod:`bench_build` (its own section of BENCHMARKS.md);
2. peak memory of a default build (largest single process, from ``getrusage`` of the
   children, and the whole process tree, sampled from /proc) and the size of each HTML
   report it published;
3. the Monte Carlo engine against a per-draw Python loop: :mod:`bench_mc_loop`;
4. one deterministic scenario (the explorer's recompute), on real councils;
5. the batch of every council against a plain papermill + nbconvert loop over 20 of them
   (reports a minute, time ratio per report, peak memory, CPU by process): :mod:`bench_batch`.

Every number is measured on this machine when the script runs; none is estimated.  The
sections this script owns sit between ``<!-- run_all:start -->`` and ``<!-- run_all:end -->``.
Options: ``--rounds`` (of the build comparison, default 1), ``--skip-build`` (keep the
build section as it is), ``--batch-councils`` (councils of the plain loop, default 20).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import io
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
START = "<!-- run_all:start -->"
END = "<!-- run_all:end -->"


def _load(name: str) -> ModuleType | None:
    path = HERE / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree_rss(root_pid: int) -> int:
    """Resident bytes of ``root_pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = int(statm[1]) * page
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def build_memory(root: Path) -> dict[str, Any]:
    """One ``build --force`` (default -j) in a child; its wall time and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sharedservices", "--root", str(root), "build",
                             "--force"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"run_all: build --force exited {proc.returncode}: {err.strip()[-300:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"wall": wall, "largest_process_kib": max(after, before), "tree_peak_bytes": peak,
            "reports": out.count("built ")}


def html_sizes(root: Path) -> list[tuple[str, int, int]]:
    """(report, HTML bytes, bytes of its figure/table folder) for every published report."""
    import yaml

    rows = []
    for e in yaml.safe_load((root / "reports.yaml").read_text())["reports"]:
        page = root / "reports" / f"{e['name']}.html"
        folder = root / "reports" / e["name"]
        extra = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.is_dir() else 0
        rows.append((e["name"], page.stat().st_size if page.is_file() else -1, extra))
    return rows


def deterministic(repeats: int = 200) -> list[tuple[str, float, float]]:
    """Median and best ms of one ``run_scenario`` (the explorer's recompute) per council."""
    from sharedservices.model import scenario

    rows = []
    for code, label in (("E2532", "East Lindsey (SD), back_office, sr2010"),
                        ("E4203", "Manchester (MD), broad, parametric phi=0.5")):
        kwargs: dict[str, Any] = ({} if code == "E2532" else
                                  {"cut_path": "parametric", "front_loading": 0.5})
        programme = "back_office" if code == "E2532" else "broad"
        scenario.run_scenario(code, programme, **kwargs)  # warm: data loaded, tables split
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            scenario.run_scenario(code, programme, **kwargs)
            times.append((time.perf_counter() - t0) * 1000)
        rows.append((label, statistics.median(times), min(times)))
    return rows


def batch_section(n: int) -> list[str]:
    bench_batch = _load("bench_batch")
    if bench_batch is None:
        return ["Pending: `bench/bench_batch.py` is not in the tree yet."]
    out = ROOT / "reports" / ".bench-batch.md"
    out.parent.mkdir(exist_ok=True)
    with redirect_stdout(io.StringIO()):
        bench_batch.main(["-n", str(n), "--output", str(out)])
    text = out.read_text().strip().splitlines()
    out.unlink()
    return text


def write_section(path: Path, section: str) -> None:
    """Replace (or append) this script's section of ``path``, keeping the rest."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by `make bench` (`bench/run_all.py`).\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=1, help="rounds of the build comparison")
    p.add_argument("--skip-build", action="store_true", help="keep the build comparison as it is")
    p.add_argument("--batch-councils", type=int, default=20, help="councils of the plain loop")
    a = p.parse_args(argv)
    bench_build = _load("bench_build")
    assert bench_build is not None
    target = ROOT / "BENCHMARKS.md"
    info = bench_build.machine()
    started = dt.datetime.now(dt.UTC)
    if not a.skip_build:
        print("run_all: build against the plain toolchain ...", file=sys.stderr, flush=True)
        bench_build.main(["--rounds", str(a.rounds), "--output", str(target)])
    print("run_all: batch of every council ...", file=sys.stderr, flush=True)
    batch = batch_section(a.batch_councils)
    print("run_all: peak memory of a build ...", file=sys.stderr, flush=True)
    mem = build_memory(ROOT)
    sizes = html_sizes(ROOT)
    print("run_all: Monte Carlo against a per-draw loop ...", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, str(HERE / "bench_mc_loop.py")], capture_output=True, text=True)
    mc = done.stdout.strip().splitlines()
    if done.returncode != 0:  # one benchmark failing does not cost the others their numbers
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        mc = [f"Not measured: `bench/bench_mc_loop.py` exited {done.returncode} ({why})."]
    print("run_all: deterministic scenario ...", file=sys.stderr, flush=True)
    det = deterministic()
    lines = [
        START,
        "## Memory, report sizes, the model and batch",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `python bench/run_all.py` on: "
        + "; ".join(f"{k} {v}" for k, v in info.items()) + ".",
        "",
        "### Peak memory of a build and the size of each report",
        "",
        f"One `python -m sharedservices build --force` (default -j = {os.cpu_count()}) of the "
        f"{mem['reports']} published reports took {mem['wall']:.1f} s. Largest single process "
        f"(`getrusage(RUSAGE_CHILDREN).ru_maxrss`, a notebook kernel or worker): "
        f"**{mem['largest_process_kib'] / 1024:.0f} MiB**. The whole process tree (build, "
        f"workers, kernels), resident memory summed and sampled from /proc every 0.25 s: peak "
        f"**{mem['tree_peak_bytes'] / 2**20:.0f} MiB**.",
        "",
        "| Report | HTML (KiB) | figures, tables and sidecars in NAME/ (KiB) |",
        "|---|---:|---:|",
        *[f"| `{n}` | {h / 1024:.0f} | {x / 1024:.0f} |" for n, h, x in sizes],
        "",
        "### The Monte Carlo engine against a per-draw Python loop",
        "",
        "`python bench/bench_mc_loop.py`:",
        "",
        *mc,
        "",
        "### One deterministic scenario (the explorer's recompute)",
        "",
        "`scenario.run_scenario` on real councils (data loaded once), 200 calls each:",
        "",
        "| Scenario | median ms | best ms |",
        "|---|---:|---:|",
        *[f"| {label} | {med:.2f} | {best:.2f} |" for label, med, best in det],
        "",
        "### Every council: `batch` against a plain papermill + nbconvert loop",
        "",
        *batch,
        END,
    ]
    write_section(target, "\n".join(lines) + "\n")
    print(f"run_all: wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
