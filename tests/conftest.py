"""Shared test fixtures.

``councils_fixture`` points ``SHAREDSERVICES_PROCESSED_DIR`` at a five-row councils table
(tests/fixtures/runner/processed/councils.csv), which ``sharedservices.inputs.data`` reads.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
RUNNER_FIXTURES = FIXTURES / "runner"
PROCESSED = Path(__file__).resolve().parents[1] / "data" / "processed"


def _chromium_available() -> bool:
    from sharedservices.errors import ToolMissing
    from sharedservices.pipeline import browser

    try:
        browser.find_chromium()
    except ToolMissing:
        return False
    return True


def browser_test(function):
    """Skip without Chromium, unless CI=true (then a missing browser fails the test)."""
    return pytest.mark.skipif(
        not _chromium_available() and os.environ.get("CI", "").lower() != "true",
        reason="no Chromium (apt-get install chromium); under CI=true this test runs and fails",
    )(function)


def copy_processed(dest: Path, ecodes: set[str] | None = None) -> Path:
    """Copy the committed processed tables into ``dest`` (a build validates all of them).

    With ``ecodes``, keep only those authorities' rows of councils, codes, spending and
    finance (a small but complete and consistent data set); ``england.csv`` and
    ``sources.json`` are copied whole.
    """
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(PROCESSED.iterdir()):
        if not f.is_file():
            continue
        if ecodes is None or f.name in ("england.csv", "sources.json"):
            shutil.copy(f, dest / f.name)
            continue
        with open(f, newline="", encoding="utf-8") as src, \
                open(dest / f.name, "w", newline="", encoding="utf-8") as out:
            rows = csv.reader(src)
            header = next(rows)
            col = header.index("ecode")
            w = csv.writer(out, lineterminator="\n")
            w.writerow(header)
            w.writerows(r for r in rows if r[col] in ecodes)
    return dest


@pytest.fixture
def councils_fixture(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Processed dir holding the fixture councils table; resolve_council reads it."""
    processed = RUNNER_FIXTURES / "processed"
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(processed))
    return processed


# --- the runner's fixture notebook and a throw-away mini project -----------------------


def _load_fixture_schema():
    """Register the fixture notebook's schema (defined beside it, also used by fx_cli.py)."""
    path = RUNNER_FIXTURES / "fx_cli.py"
    spec = importlib.util.spec_from_file_location("fx_cli", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FX_CLI = RUNNER_FIXTURES / "fx_cli.py"
fx_cli = _load_fixture_schema()


def write_reports_yaml(root: Path, entries: list[dict]) -> None:
    """Write ``root/reports.yaml`` declaring ``entries`` (fx-report by default)."""
    import yaml

    for e in entries:
        e.setdefault("title", f"Fixture {e['name']}")
        e.setdefault("notebook", "notebooks/fx-report.ipynb")
        e.setdefault("parameters", {})
    (root / "reports.yaml").write_text(yaml.safe_dump({"reports": entries}, sort_keys=False))


@pytest.fixture
def mini_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp project: notebooks/fx-report.ipynb, data/assumptions/fixture.yaml, a copy of
    the committed data/processed, requirements.txt and a reports.yaml with one report
    ``fx-a``.

    ``SHAREDSERVICES_ASSUMPTIONS_DIR``/``PROCESSED_DIR`` point into it (inherited by the
    kernels), so builds never touch the real reports/ or data/.
    """
    import shutil

    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(RUNNER_FIXTURES / "notebooks" / "fx-report.ipynb", root / "notebooks")
    (root / "data" / "assumptions").mkdir(parents=True)
    copy_processed(root / "data" / "processed")
    shutil.copy(RUNNER_FIXTURES / "assumptions" / "fixture.yaml", root / "data" / "assumptions")
    (root / "requirements.txt").write_text("# fixture\n")
    write_reports_yaml(root, [{"name": "fx-a", "parameters": {"scale": 1.5}}])
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(root / "data" / "assumptions"))
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(root / "data" / "processed"))
    return root


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, collect garbage once and freeze what survives, before the worker
    reports that it has finished.

    Once every worker has finished, the controller tells each to exit, and execnet sends a
    worker whose execution is still running 5 s later a SIGINT (the "KeyboardInterrupt"
    traceback that could end ``make test``).  What runs in that window is pytest's own
    cleanup, which calls ``gc.collect()`` five times to surface unraisable exceptions; each
    pass walks every object the worker still holds (the loaded data, cached tables and
    figures), which on a busy machine can take longer than 5 s in all.  ``gc.freeze()``
    moves the survivors out of the collector's reach, so those passes only see what becomes
    garbage afterwards.  ``SHAREDSERVICES_GC_PROBE=PATH`` writes, per worker, how long five
    collections take before and after the freeze (measured 2026-12-02 on the whole suite:
    about 600,000 objects, 1.6 s before on an idle machine, 0.000 s after).
    """
    if not hasattr(session.config, "workerinput"):
        return
    import gc
    import time

    probe = os.environ.get("SHAREDSERVICES_GC_PROBE")
    if probe:
        t0 = time.perf_counter()
        for _ in range(5):
            gc.collect()
        before = time.perf_counter() - t0
    gc.collect()
    gc.freeze()
    if probe:
        t0 = time.perf_counter()
        for _ in range(5):
            gc.collect()
        after = time.perf_counter() - t0
        with open(f"{probe}.{os.getpid()}", "w", encoding="utf-8") as out:
            out.write(f"objects {len(gc.get_objects()) + gc.get_freeze_count()} five-collections-before {before:.2f} s"
                      f" after-freeze {after:.3f} s\n")
