"""Long-lived kernels (issue 16): leak detection, the reset between reports, progress.

The fingerprint and its declarations are tested in-process on planted modules; the batch
tests use the mini project of tests/test_batch.py, with the fixture notebooks
``fx-council.ipynb`` and ``fx-leak.ipynb`` (which changes ``style.CLASS_COLOURS`` for one
council: a planted leak).
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import types

import pytest
from sharedservices.errors import EXIT_STATE_LEAK
from sharedservices.pipeline import leaks, publish
from sharedservices.pipeline.batch import batch
from sharedservices.pipeline.progress import Progress
from test_batch import BATCH, cli, project  # noqa: F401  (fixture)

GROUP = pytest.mark.xdist_group("batch-local")


@pytest.fixture
def planted() -> types.ModuleType:
    """A module under ``sharedservices.`` with values, a declared cache and run state."""
    import numpy as np
    import pandas as pd

    m = types.ModuleType("sharedservices._planted_for_tests")
    m.LIMITS = {"a": [1, 2, {"deep": 3}]}
    m.TABLE = pd.DataFrame({"x": [1.0, 2.0]})
    m.ARRAY = np.arange(4.0)
    m.NAMES = frozenset({"b", "a"})
    m._memo = {}
    m._active = []
    m.helper = len
    m.__cache_names__ = ("_memo",)
    m.__run_state__ = ("_active",)
    sys.modules[m.__name__] = m
    yield m
    del sys.modules[m.__name__]


def _changed(before: dict, module: types.ModuleType) -> list[str]:
    return [c for c in leaks.changes(before, leaks.fingerprint()) if c.startswith(module.__name__)]


def test_fingerprint_sees_changes_deep_in_values_arrays_frames_and_rebinding(planted):
    before = leaks.fingerprint()
    assert _changed(before, planted) == []
    planted._memo["k"] = object()  # a declared cache may fill
    assert _changed(before, planted) == []
    planted.LIMITS["a"][2]["deep"] = 4
    planted.TABLE.loc[0, "x"] = 9.0
    planted.ARRAY[3] = -1.0
    planted.helper = max  # a function rebound (monkeypatched)
    planted.EXTRA = 1  # a name added
    name = planted.__name__
    assert _changed(before, planted) == [f"{name}.{n}" for n in ("ARRAY", "EXTRA", "LIMITS", "TABLE", "helper")]


def test_run_state_counts_once_emptied_and_new_modules_are_not_changes(planted):
    before = leaks.fingerprint()
    planted._active.append("a recording")
    assert _changed(before, planted) == [f"{planted.__name__}._active"]
    planted._active.clear()  # what the reset does with __run_state__
    assert _changed(before, planted) == []
    extra = types.ModuleType("sharedservices._imported_later")
    extra.VALUE = 1
    sys.modules[extra.__name__] = extra
    try:
        assert leaks.changes(before, leaks.fingerprint()) == []
    finally:
        del sys.modules[extra.__name__]


def test_the_library_declares_its_caches_and_a_second_fingerprint_is_equal():
    from sharedservices.inputs import assumptions, data

    assert "_cache" in data.__cache_names__ and "_CACHE" in assumptions.__cache_names__
    assert assumptions.__run_state__ == ("_ACTIVE",)
    data.councils()
    first = leaks.fingerprint()
    assert leaks.changes(first, leaks.fingerprint()) == []
    assert "sharedservices.inputs.data._cache" not in {f"{m}.{n}" for m, d in first.items() for n in d}


def test_progress_bar_draws_only_on_terminals_and_counts_failures():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet_out, quiet_err = io.StringIO(), Tty()  # stdout piped (CI log): no bar at all
    with Progress(3, quiet_out, quiet_err) as bar:
        bar.write("built    E5014")
        bar.update()
    assert not bar.enabled and quiet_err.getvalue() == "" and quiet_out.getvalue() == "built    E5014\n"
    out, err = Tty(), Tty()
    with Progress(3, out, err) as bar:
        bar.update()
        bar.update(failed=True)
        bar.write("failed   E5011")
    drawn = err.getvalue()
    assert bar.enabled and "2/3 done" in drawn and "1 failed" in drawn
    assert re.search(r"<\d\d:\d\d", drawn)  # the time left
    assert "failed   E5011\n" in out.getvalue()


@GROUP
def test_a_planted_leak_stops_the_batch_with_exit_6_naming_module_and_name(project, capsys):  # noqa: F811
    shutil.copy(BATCH / "fx-leak.ipynb", project / "notebooks")
    from sharedservices.pipeline.cli import main

    rc = main(["--root", str(project), "batch", "notebooks/fx-leak.ipynb", "--councils",
               "E0101,E0521,E2532", "-p", "leak_for", "E0521", "-j", "1"])
    out, err = capsys.readouterr()
    assert rc == EXIT_STATE_LEAK == 6, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: state leak: notebooks/fx-leak.ipynb for E0521 changed "
                           "sharedservices.report.style.CLASS_COLOURS")
    assert "__cache_names__" in line
    dest = project / "reports" / "councils"
    # the council before it was built from a clean kernel and is published; the one that
    # leaked is not, and the batch stopped before the next
    assert publish.read_manifest(dest, "E0101")["headlines"]["sc_colour"]["value"] == "#0072B2"
    assert publish.read_manifest(dest, "E0521") is None
    assert publish.read_manifest(dest, "E2532") is None
    assert not (dest / ".staging").exists()


@GROUP
def test_a_kernel_that_dies_fails_its_council_and_the_next_gets_a_new_kernel(project, capsys):  # noqa: F811
    shutil.copy(BATCH / "fx-leak.ipynb", project / "notebooks")
    from sharedservices.pipeline.cli import main

    rc = main(["--root", str(project), "batch", "notebooks/fx-leak.ipynb", "--councils",
               "E0101,E0521,E2532,E5011", "-p", "die_for", "E0521", "-j", "1"])
    out, err = capsys.readouterr()
    assert rc == 1, err
    assert re.search(r"^failed\s+E0521\s.*(dead|died)", out, re.M | re.I), out
    dest = project / "reports" / "councils"
    pids = {c: publish.read_manifest(dest, c)["headlines"]["kernel_pid"]["value"]
            for c in ("E0101", "E2532", "E5011")}
    assert pids["E2532"] == pids["E5011"] != pids["E0101"]  # a new kernel after the death, kept
    assert (dest / "_failed" / "E0521.html").is_file()


@GROUP
def test_one_kernel_serves_every_council_and_a_failure_does_not_end_it(project):  # noqa: F811
    from sharedservices.pipeline.jobs import worker_env, write_kernel_profile
    from sharedservices.pipeline.runner import make_job
    from sharedservices.pipeline.warm import WarmWorker

    nb = project / "notebooks" / "fx-council.ipynb"
    home = project / "w"
    home.mkdir()
    worker = WarmWorker(nb.parent, worker_env(write_kernel_profile(home / "ipython")), home / "worker.log")
    kernels = []
    try:
        for i, code in enumerate(("E0101", "E5011", "E5014")):
            staging = home / code
            staging.mkdir()
            job = make_job(code, None, nb, "notebooks/fx-council.ipynb",
                           {"council": code, "scale": 1.0, "fail_for": "E5011", "sleep_for": ""},
                           staging, 120.0, {}).with_(figure_formats="svg")
            rc, _ = worker.run(job, 120.0)
            assert rc == (1 if code == "E5011" else 0)
            kernels.append(worker.last_kernel)
            assert (staging / "executed.ipynb").is_file()
            assert (staging / "failure.json").is_file() == (code == "E5011")
            if i == 0:
                assert {p.name for p in (staging / code).iterdir() if p.suffix in (".png", ".svg")} == {"population.svg"}
    finally:
        worker.close()
    pids = {pid for pid, _ in kernels}
    assert len(pids) == 1 and 0 not in pids, kernels  # one long-lived kernel, not a cold run
    assert [n for _, n in kernels] == [1, 2, 3]


@GROUP
def test_figure_formats_are_chosen_per_batch_and_checked(project, capsys):  # noqa: F811
    nb = project / "notebooks" / "fx-council.ipynb"
    batch(nb, "E5014", {}, root=project, reports_dir=project / "both", figure_formats="png,svg",
          out=io.StringIO(), err=io.StringIO())
    files = sorted(p.name for p in (project / "both" / "councils" / "E5014").glob("population.*")
                   if not p.name.endswith(".json"))
    assert files == ["population.png", "population.svg"]
    assert cli(project, "--councils", "E5014", "--figure-formats", "gif") == 2
    assert "--figure-formats: 'gif' is not a list of figure formats (allowed: png, svg, or png,svg)" in capsys.readouterr().err
