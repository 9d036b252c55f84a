"""Benchmark the report build against the plain toolchain; write the result to BENCHMARKS.md.

Run ``python bench/bench_build.py`` (``make bench``).  It measures, on this machine and
never estimated:

* **plain**: for each report in ``reports.yaml``, one after another, what a user would type
  without the suite: ``papermill NOTEBOOK OUT.ipynb -k sharedservices --cwd NOTEBOOK_DIR
  -y PARAMETERS`` then ``jupyter nbconvert --to html --no-input OUT.ipynb``;
* **suite -j 1**: ``python -m sharedservices build --force -j 1`` (what the pipeline itself
  saves: one long-lived kernel runs every report);
* **suite -j default**: ``python -m sharedservices build --force`` (what a user gets);
* **no-op**: ``python -m sharedservices build`` straight after a build (nothing to rebuild).

The three full builds run in each round, their order rotated from round to round, so
that slow drift of the machine (caches, other load) falls on each alike.  Every command
must exit 0 and leave an HTML file per report, or the benchmark stops with exit 1.
Results replace the section between the ``bench_build`` markers in ``BENCHMARKS.md`` (the
rest of the file, which other benchmarks write, is kept).

Note: the suite's builds publish into ``reports/`` of the project (``--force``), as
``make reports`` would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from sharedservices.inputs import paths

KERNEL = "sharedservices"
START = "<!-- bench_build:start -->"
END = "<!-- bench_build:end -->"
BIN = Path(sys.executable).parent


def machine() -> dict[str, str]:
    """CPU count, CPU model, memory, OS, Python and the load when the benchmark started."""
    model = "unknown"
    memory = "unknown"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f"{kib / 1024**2:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return {
        "CPUs": str(os.cpu_count()),
        "CPU model": model,
        "Memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Load average at start (1, 5, 15 min)": load,
    }


def published(root: Path) -> list[dict]:
    """The entries of ``reports.yaml``: name, notebook path and parameters as written."""
    data = yaml.safe_load((root / "reports.yaml").read_text())
    return [
        {"name": e["name"], "notebook": root / e["notebook"], "parameters": e.get("parameters") or {}}
        for e in data["reports"]
    ]


def _run(command: Sequence[str | os.PathLike[str]], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SystemExit(f"bench_build: `{' '.join(map(str, command))}` exited {done.returncode}: {' | '.join(tail)}")
    return seconds


def plain_toolchain(root: Path, reports: list[dict]) -> float:
    """Seconds for papermill then nbconvert, report after report, into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="bench-plain-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        for report in reports:
            executed = out / f"{report['name']}.ipynb"
            _run([BIN / "papermill", report["notebook"], executed, "-k", KERNEL,
                  "--cwd", report["notebook"].parent, "-y", json.dumps(report["parameters"])], root)
            _run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed], root)
        seconds = time.perf_counter() - started
        missing = [r["name"] for r in reports if not (out / f"{r['name']}.html").is_file()]
    if missing:
        raise SystemExit(f"bench_build: the plain toolchain wrote no HTML for {', '.join(missing)}")
    return seconds


def noop_build(root: Path, reports: list[dict], tries: int = 3) -> float | None:
    """Seconds for ``build`` when it truly rebuilt nothing (every line ``skipped``).

    On a tree that others are editing, a build straight after another can legitimately
    rebuild (a file under ``lib/`` changed in between); such a run is not a no-op, is not
    counted, and is retried up to ``tries`` times.  None if no try was a no-op.
    """
    for _ in range(tries):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sharedservices", "--root", str(root), "build"],
                              cwd=root, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"bench_build: no-op build exited {done.returncode}: {done.stderr.strip()[-300:]}")
        if "built" not in done.stdout and "failed" not in done.stdout:
            return seconds
    return None


def suite_build(root: Path, reports: list[dict], *extra: str) -> float:
    """Seconds for ``python -m sharedservices build`` with ``extra`` arguments."""
    seconds = _run([sys.executable, "-m", "sharedservices", "--root", root, "build", *extra], root)
    missing = [r["name"] for r in reports if not (root / "reports" / f"{r['name']}.html").is_file()]
    if missing:
        raise SystemExit(f"bench_build: the build published no HTML for {', '.join(missing)}")
    return seconds


def versus(plain: float, suite: float) -> str:
    """The suite's time against the plain toolchain's, in words.

    Examples
    --------
    >>> versus(30.0, 12.0), versus(10.0, 20.0)
    ('2.50x faster (time ratio 0.40)', '2.00x slower (time ratio 2.00)')
    """
    ratio = suite / plain
    return f"{1 / ratio:.2f}x faster (time ratio {ratio:.2f})" if ratio <= 1 else f"{ratio:.2f}x slower (time ratio {ratio:.2f})"


def render(info: dict[str, str], reports: list[dict], times: dict[str, list[float]], rounds: int) -> str:
    """The BENCHMARKS.md section, between the markers."""
    median = {k: statistics.median(v) for k, v in times.items() if v}
    plain = median["plain"]
    rows = [
        ("Plain toolchain (papermill, then nbconvert, per report)", "plain", ""),
        ("`python -m sharedservices build --force -j 1`", "j1", versus(plain, median["j1"])),
        (f"`python -m sharedservices build --force` (default -j = {info['CPUs']})", "jdefault",
         versus(plain, median["jdefault"])),
        ("`python -m sharedservices build` with nothing to rebuild", "noop", ""),
    ]
    lines = [
        START,
        "## Building the published set: the suite against the plain toolchain",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `python bench/bench_build.py` "
        f"({rounds} round{'s' if rounds != 1 else ''}; every number below is measured, none estimated).",
        "",
        "| Machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        f"Reports ({len(reports)}, from `reports.yaml`): " + ", ".join(f"`{r['name']}`" for r in reports) + ".",
        "",
        "Method: in each round the plain toolchain, `build --force -j 1` and `build --force` run once each, "
        "in an order rotated from round to round; each is timed with `time.perf_counter` around the "
        "whole command(s), process start-up included. The plain toolchain runs, for each report in turn, "
        f"`papermill NOTEBOOK OUT.ipynb -k {KERNEL} --cwd NOTEBOOK_DIR -y PARAMETERS` then "
        "`jupyter nbconvert --to html --no-input OUT.ipynb`, on the same kernel, notebooks and parameters. "
        "The no-op build runs straight after each suite build; a run that rebuilt something (the tree "
        "changed in between: other work in progress) is not a no-op and is retried, not counted.",
        "",
        "| Command | median s | min s | max s | runs (s) | vs plain |",
        "|---|---:|---:|---:|---|---|",
    ]
    for label, key, ratio in rows:
        values = times[key]
        if not values:
            lines.append(f"| {label} | n/a | | | (no run was a true no-op: the tree kept changing) | |")
            continue
        lines.append(
            f"| {label} | {median[key]:.1f} | {min(values):.1f} | {max(values):.1f} | "
            f"{', '.join(f'{v:.1f}' for v in values)} | {ratio} |"
        )
    target = median["jdefault"] <= plain / 2
    target16 = median["jdefault"] <= plain / 4
    lines += [
        "",
        f"Target (issue 7): the default build takes at most half the plain toolchain's time: "
        f"**{'met' if target else 'not met'}** ({median['jdefault']:.1f} s against {plain / 2:.1f} s).",
        f"Target (issue 16): `build --force` takes at most 0.25 of the plain toolchain's time: "
        f"**{'met' if target16 else 'not met'}** (time ratio {median['jdefault'] / plain:.3f}; "
        f"{median['jdefault']:.1f} s against {plain / 4:.1f} s).",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or append) this benchmark's section of ``path``, keeping the rest."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by the scripts in `bench/` (`make bench`).\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=paths.ROOT, help="project root (default: this repository)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three full builds (default: 3)")
    parser.add_argument("--output", type=Path, default=None, help="file to update (default: ROOT/BENCHMARKS.md)")
    options = parser.parse_args(argv)
    if options.rounds < 1:
        parser.error(f"--rounds: {options.rounds} is not allowed (allowed: 1 or more)")
    root = options.root.resolve()
    info = machine()
    reports = published(root)
    runs = {
        "plain": lambda: plain_toolchain(root, reports),
        "j1": lambda: suite_build(root, reports, "--force", "-j", "1"),
        "jdefault": lambda: suite_build(root, reports, "--force"),
    }
    times: dict[str, list[float]] = {key: [] for key in [*runs, "noop"]}
    order = list(runs)
    for round_ in range(options.rounds):
        rotated = order[round_ % len(order):] + order[: round_ % len(order)]
        for key in rotated:
            times[key].append(runs[key]())
            print(f"round {round_ + 1}: {key:9s} {times[key][-1]:7.1f} s", flush=True)
            if key != "plain":
                noop = noop_build(root, reports)
                if noop is not None:
                    times["noop"].append(noop)
                print(f"round {round_ + 1}: {'noop':9s} {noop if noop is not None else float('nan'):7.1f} s", flush=True)
    output = options.output or root / "BENCHMARKS.md"
    write_section(output, render(info, reports, times, options.rounds))
    print(f"bench_build: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
