"""Hostile inputs (issue 7): each ends with one line, the documented exit code, and nothing lost.

Cases already covered elsewhere are not repeated here: parameter types, ranges, NaN and
unknown names against a fixture schema (tests/test_params.py); a malformed reports.yaml,
a duplicate report name, a missing notebook, an assumption file without unit or source
before any kernel starts, ``reports/`` being a plain file, two builds at once, a publish
interrupted between steps, Ctrl-C (tests/test_build.py); each bad processed table at the
loader (tests/test_data.py).  This file adds:

* every kind of bad parameter against a real report notebook through the command line;
* bad processed data and assumptions stopping a *build* (exit 2, previous report
  byte-identical, no kernel started);
* the disk filling up while a report is written (exit 4, previous report intact), both
  on a real tiny tmpfs (where the test may mount one) and simulated in-process;
* a build SIGKILLed at random (seeded) moments while it publishes, then repaired.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_reports_yaml
from sharedservices.pipeline import publish
from sharedservices.pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
NB30 = ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"
SLOW_CLI = Path(__file__).parent / "fixtures" / "hostile" / "slow_publish_cli.py"
KERNEL_A = pytest.mark.xdist_group("hostile-a")
KERNEL_B = pytest.mark.xdist_group("hostile-b")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err.strip()


def snapshot(reports: Path, name: str) -> dict[str, str]:
    """sha256 of every file of one published report (page, manifest, figures, tables)."""
    files = [reports / f"{name}.html", reports / f"{name}.json",
             *sorted((reports / name).rglob("*"))]
    return {str(f.relative_to(reports)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in files if f.is_file()}


def consistent(reports: Path, name: str) -> bool:
    """A report that *looks* current is whole: its manifest matches its page and files."""
    m = publish.read_manifest(reports, name)
    if m is None:
        return True  # incomplete: the next build redoes it
    page = hashlib.sha256((reports / f"{name}.html").read_bytes()).hexdigest()
    files_ok = all((reports / rel).is_file()
                   and hashlib.sha256((reports / rel).read_bytes()).hexdigest() == sha
                   for rel, sha in m["files"].items())
    return m["status"] == "complete" and page == m["html_sha256"] and files_ok


# --- parameters: a real notebook, through the command line, before any kernel ---------

@pytest.mark.parametrize(("args", "needle"), [
    (["-p", "council", "E9999"], "parameter 'council': 'E9999' is not a code in the RS workbooks"),
    (["-p", "council", "E6101"], "'E6101' is Avon Combined Fire and Rescue Authority, not a principal council"),
    (["-p", "council", "E5100"], "not a principal council"),
    (["-p", "horizon", "100000"], "parameter 'horizon': 100000 is out of range (allowed: integer 4..60)"),
    (["-p", "horizon", "-1"], "parameter 'horizon': -1 is out of range"),
    (["-p", "horizon", "12.5"], "parameter 'horizon': 12.5 has the wrong type (float)"),
    (["-p", "savings_multiplier", "-0.5"], "parameter 'savings_multiplier': -0.5 is out of range"),
    (["-p", "savings_multiplier", "nan"], "parameter 'savings_multiplier': nan is not a finite number"),
    (["-f", "{tmp}/inf.yaml"], "parameter 'delay_years': -inf is not a finite number"),
    (["-p", "delay_years", "-inf"], "argument -p/--param: expected 2 arguments"),  # argparse
    (["-p", "one_off_cost_multiplier", "1e308"], "1e+308 is out of range"),
    (["-p", "colour", "red"], "parameter 'colour': unknown for notebook '30-payback-vs-cuts'"),
    (["-p", "optimism_bias", "maybe"], "parameter 'optimism_bias': 'maybe' has the wrong type"),
    (["-p", "programme", "everything"], "parameter 'programme': 'everything' is not an allowed choice"),
    (["-f", "{tmp}/list.yaml"], "parameter 'horizon': [10, 20] has the wrong type (list)"),
    (["-f", "{tmp}/bad.yaml"], "parameter file '{tmp}/bad.yaml': is not valid YAML"),
    (["-f", "{tmp}/top.yaml"], "parameter file '{tmp}/top.yaml': is not a mapping of name: value"),
    (["-f", "{tmp}/missing.yaml"], "parameter file '{tmp}/missing.yaml': cannot be read"),
    (["-o", "{tmp}/out.txt"], "-o: '{tmp}/out.txt' does not end in .html"),
])
def test_bad_parameters_for_a_real_notebook_exit_2(args, needle, tmp_path, capsys):
    (tmp_path / "list.yaml").write_text("horizon: [10, 20]\n")
    (tmp_path / "bad.yaml").write_text("horizon: [10,\n")
    (tmp_path / "top.yaml").write_text("- horizon\n")
    (tmp_path / "inf.yaml").write_text("delay_years: -.inf\n")
    before = sorted(tmp_path.iterdir())
    argv = [a.format(tmp=tmp_path) for a in args]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "out" / "report.html")]
    assert main(["run", str(NB30), *argv]) == 2
    assert needle.format(tmp=tmp_path) in one_line_error(capsys)
    assert sorted(tmp_path.iterdir()) == before  # nothing written, no kernel started


def test_output_path_under_a_file_exits_4(tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("keep me\n")
    assert main(["run", str(NB30), "-o", str(blocker / "report.html")]) == 4
    assert "is not a directory" in one_line_error(capsys)
    assert blocker.read_text() == "keep me\n"


# --- processed data and assumptions: a build stops before any kernel -------------------

def _missing_column(t: str) -> str:
    return t.replace("gbp_thousand", "gbp", 1)


def _duplicate_key(t: str) -> str:
    return t + t.splitlines()[1] + "\n"


def _text_in_number(t: str) -> str:
    header, first, rest = t.split("\n", 2)
    cells = first.split(",")
    cells[header.split(",").index("gbp_thousand")] = "lots"
    return "\n".join([header, ",".join(cells), rest])


DATA_CASES = [
    ("processed", "spending.csv", _missing_column, "spending.csv: missing column 'gbp_thousand'"),
    ("processed", "finance.csv", _duplicate_key, "finance.csv: duplicate key"),
    ("processed", "spending.csv", _text_in_number, "'lots' is not a number"),
    ("processed", "councils.csv", lambda t: "", "councils.csv: file is empty"),
    ("assumptions", "fixture.yaml", lambda t: t.replace("    source: suite assumption\n", ""),
     "fixture.yaml"),
]


@KERNEL_A
def test_bad_data_stops_the_build_and_keeps_the_report(mini_project, capsys):
    root = mini_project
    reports = root / "reports"
    for f in ("councils.csv", "spending.csv", "finance.csv"):
        shutil.copy(ROOT / "data" / "processed" / f, root / "data" / "processed" / f)
    assert main(["--root", str(root), "build"]) == 0
    before = snapshot(reports, "fx-a")
    capsys.readouterr()
    for where, fname, edit, needle in DATA_CASES:
        path = root / "data" / where / fname
        good = path.read_text()
        path.write_text(edit(good))
        try:
            assert main(["--root", str(root), "build"]) == 2, fname
            err = one_line_error(capsys)
            assert needle in err, (needle, err)
            assert snapshot(reports, "fx-a") == before
            assert not (reports / ".staging").exists()  # stopped before any kernel
        finally:
            path.write_text(good)
    assert main(["--root", str(root), "build"]) == 0  # and the good data builds again


# --- the disk fills up ------------------------------------------------------------------

@KERNEL_B
def test_disk_full_while_publishing_exits_4_and_keeps_the_report(mini_project, capsys,
                                                                 monkeypatch):
    root = mini_project
    reports = root / "reports"
    assert main(["--root", str(root), "build"]) == 0
    before = snapshot(reports, "fx-a")
    capsys.readouterr()
    real_write = Path.write_text

    def full_disk(self: Path, *a, **kw):
        if self.name == "fx-a.json" and publish.STAGING in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, *a, **kw)

    monkeypatch.setattr(Path, "write_text", full_disk)
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 3.0}}])
    assert main(["--root", str(root), "build"]) == 4
    err = one_line_error(capsys)
    assert "No space left on device" in err and "(allowed: a writable directory" in err
    assert snapshot(reports, "fx-a") == before
    monkeypatch.setattr(Path, "write_text", real_write)
    assert main(["--root", str(root), "build"]) == 0
    m = json.loads((reports / "fx-a.json").read_text())
    assert m["provenance"]["parameters"]["scale"] == 3.0 and consistent(reports, "fx-a")


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


@KERNEL_A
@pytest.mark.parametrize("jobs", ["default", "1"], ids=["cold-workers", "warm-workers"])
def test_real_full_disk_in_the_worker_exits_4_and_keeps_the_report(mini_project, capsys, jobs):
    """A full disk in the worker exits 4 whichever executor ran it: ``-j 1`` with two
    reports uses the warm workers (a spare kernel on the idle CPU), the default the cold."""
    root = mini_project
    reports = root / "reports"
    if not _mount_tmpfs(reports, "4m"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount permission)")
    names = ["fx-a"] if jobs == "default" else ["fx-a", "fx-b"]
    jflag = [] if jobs == "default" else ["-j", jobs]
    try:
        write_reports_yaml(root, [{"name": n, "parameters": {"scale": 1.0}} for n in names])
        assert main(["--root", str(root), "build", *jflag]) == 0
        before = {n: snapshot(reports, n) for n in names}
        capsys.readouterr()
        # fill the file system, leaving a few kB: enough for the lock and the job file,
        # not for the executed notebook (its figures alone are larger)
        filler = reports / "filler.bin"
        st = os.statvfs(reports)
        filler.write_bytes(b"\0" * (st.f_bavail * st.f_frsize - 16 * 1024))
        write_reports_yaml(root, [{"name": n, "parameters": {"scale": 4.0}} for n in names])
        assert main(["--root", str(root), "build", *jflag]) == 4
        err = one_line_error(capsys)
        assert "outputs: cannot write" in err and "(allowed: a writable directory" in err
        assert {n: snapshot(reports, n) for n in names} == before
        filler.unlink()
        assert main(["--root", str(root), "build", *jflag]) == 0
        assert all(consistent(reports, n) for n in names) and not (reports / ".staging").exists()
    finally:
        subprocess.run(["umount", "-l", str(reports)], capture_output=True)


# --- killed while publishing --------------------------------------------------------------

@KERNEL_B
def test_build_killed_at_random_points_while_publishing_is_repaired(mini_project):
    root = mini_project
    reports = root / "reports"
    names = ["fx-a", "fx-b", "fx-c"]
    rng = random.Random(20110228)
    pause = 0.15  # after each of the publish steps (see slow_publish_cli.py)
    env = dict(os.environ, SLOW_PUBLISH_SECONDS=str(pause))
    for round_, scale in enumerate((1.0, 2.0, 3.0)):
        write_reports_yaml(root, [{"name": n, "parameters": {"scale": scale + i / 10}}
                                  for i, n in enumerate(names)])
        proc = subprocess.Popen([sys.executable, str(SLOW_CLI), "--root", str(root), "build",
                                 "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, env=env)
        # wait until a report has finished running (its outputs are staged), then kill the
        # build at a random moment of the next few publish steps
        deadline = time.monotonic() + 240
        while not list((reports / ".staging").glob("*/outputs.json")):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 6 * pause))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _kill_orphan_workers(root)
        for n in names:  # never a mixture that looks current
            assert consistent(reports, n), (round_, n)
        assert main(["--root", str(root), "build"]) == 0
        for n in names:
            m = json.loads((reports / f"{n}.json").read_text())
            assert m["provenance"]["parameters"]["scale"] == scale + names.index(n) / 10
            assert consistent(reports, n)
        assert not (reports / ".staging").exists()


def _kill_orphan_workers(root: Path) -> None:
    """Workers run in their own sessions; kill those of the killed build (by its staging)."""
    found = subprocess.run(["pgrep", "-f", str(root / "reports" / ".staging")],
                           capture_output=True, text=True).stdout.split()
    for pid in found:
        try:
            os.killpg(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
