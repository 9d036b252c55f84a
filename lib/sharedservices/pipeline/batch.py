"""The ``batch`` command: one report per English principal council.

``python -m sharedservices batch NOTEBOOK --councils all|CLASS|NAME-OR-CODE,...`` validates
everything first (every council, by name or code: :func:`sharedservices.report.params.select_councils`;
the other parameters once against the notebook's schema with the council filled in; the
processed data and assumptions), then runs the notebook once per council, titled for it
(:func:`sharedservices.report.titles.report_title`: "Can shared services close Bristol's
funding gap in time?"), and publishes ``reports/councils[/TAG]/CODE.html`` (RS code),
``CODE/`` and ``CODE.json`` with the build's machinery: atomic publishing, incremental
skipping by content hash, failure reports under ``_failed/``, the build lock.  It rewrites
the council index (:mod:`.councils_index`) as councils are published (at most every
:data:`INDEX_INTERVAL` seconds) and when the batch ends, however it ends (done, Ctrl-C,
SIGTERM, a leak), so the index lists exactly the reports beside it.

Executors (pluggable):

* ``warm`` (default): one long-lived worker per ``-j`` slot, whose one kernel imports the
  library and loads the data once and then runs council after council, each in a fresh
  namespace, checked for leaked state after each (:mod:`.warm`, :mod:`.reuse`); the worker
  exports a council while its kernel runs the next;
* ``cold``: a fresh worker process and kernel per council, exactly as ``build`` does;
* ``--scheduler ADDRESS``: a Dask distributed cluster (:mod:`.cluster`), whose workers
  hold the same long-lived kernels.

Figures are rendered as SVG only by default (the report embeds the SVG; rendering the PNG
took most of a council's figure time): ``figure_formats="png,svg"`` (``--figure-formats``)
writes both, as the published set does.  A progress bar (:mod:`.progress`) counts councils
done and failed with the time left, when both outputs are terminals.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sharedservices.errors import InputError, StateLeak, cut, show
from sharedservices.inputs import paths
from sharedservices.pipeline.config import COUNCILS_DIR
from sharedservices.pipeline.fingerprint import report_fingerprint, tree_hash
from sharedservices.pipeline.jobs import Failure, Job, worker_env, write_kernel_profile
from sharedservices.pipeline.publish import (
    FAILED,
    STAGING,
    build_lock,
    clean_staging,
    clear_failure,
    ensure_dir,
    is_current,
    output_errors,
    read_manifest,
)
from sharedservices.pipeline.runner import (
    DEFAULT_TIMEOUT,
    BuildSummary,
    Outcome,
    check_destination,
    finish,
    make_job,
    run_cold,
    validate_inputs,
)
from sharedservices.report import params as params_mod
from sharedservices.report.display import NAME_PATTERN, check_figure_formats
from sharedservices.report.titles import report_title

EXECUTORS = ("warm", "cold")
#: Seconds between two rewrites of the council index while a batch runs (it is rewritten
#: when the batch ends, however it ends).
INDEX_INTERVAL = 2.0
#: Figure formats of batch reports unless asked otherwise (the published set: PNG and SVG).
BATCH_FIGURE_FORMATS = "svg"

__all__ = ["BATCH_FIGURE_FORMATS", "COUNCILS_DIR", "EXECUTORS", "batch", "batch_dir", "council_parameters", "report_title"]


def batch_dir(reports_dir: Path, tag: str | None = None) -> Path:
    """Folder of a batch: ``reports/councils`` or ``reports/councils/TAG``.

    Examples
    --------
    >>> batch_dir(Path("reports"), "high-savings").as_posix()
    'reports/councils/high-savings'
    >>> batch_dir(Path("reports"), "Bad Tag")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: --tag: 'Bad Tag' is not a slug (allowed: lower-case letters, digits, '-' and '_', starting with a letter or digit)
    """
    if tag is None:
        return Path(reports_dir) / COUNCILS_DIR
    if not isinstance(tag, str) or not NAME_PATTERN.match(tag):
        raise InputError(f"--tag: {show(tag)} is not a slug (allowed: lower-case letters, digits, "
                         "'-' and '_', starting with a letter or digit)")
    return Path(reports_dir) / COUNCILS_DIR / tag


def council_parameters(notebook: Path, raw: dict[str, Any], first_council: str) -> dict[str, Any]:
    """Validate the parameters shared by every council once; return them with defaults.

    The schema must have a ``council`` field, and ``raw`` must not set it (``--councils``
    does).  Validation uses ``first_council`` for the council, whose code has already been
    checked; the returned dict holds it, to be replaced per council.

    Raises
    ------
    InputError
        The notebook takes no council, ``council`` was given, or a value is invalid.
    """
    schema = params_mod.schema_for(notebook)
    stem = notebook.stem
    if "council" not in schema.model_fields:
        raise InputError(f"notebook {stem!r}: has no 'council' parameter "
                         "(allowed: a notebook whose schema takes a council)")
    if "council" in raw:
        raise InputError(f"parameter 'council': {show(raw['council'])} cannot be set for a batch "
                         "(allowed: choose councils with --councils)")
    return params_mod.validate(notebook, {**raw, "council": first_council}, check_councils=False)


class _IndexWriter:
    """Rewrites the council index at most every :data:`INDEX_INTERVAL` seconds while councils
    are published (rewriting a page of 353 councils after each took a tenth of a second), a
    change left over being written by a timer, and at once on :meth:`flush`."""

    def __init__(self, write: Callable[[], None]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._last = 0.0
        self._timer: threading.Timer | None = None

    def update(self, change: Callable[[], None]) -> None:
        with self._lock:
            change()
            wait = self._last + INDEX_INTERVAL - time.monotonic()
            if wait <= 0:
                self._write_locked()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self._on_timer)
                self._timer.daemon = True
                self._timer.start()

    def _on_timer(self) -> None:
        with self._lock, contextlib.suppress(Exception):  # the final flush reports any error
            if self._timer is not None:
                self._write_locked()

    def _write_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._write()
        self._last = time.monotonic()

    def flush(self) -> None:
        with self._lock:
            self._write_locked()


def _line(o: Outcome, council_name: str) -> str:
    secs = f"{o.seconds:6.1f} s" if o.status != "skipped" else ""
    tail = f"  {o.message}" if o.message else ""
    if o.status == "failed" and o.path is not None:
        tail += f" (see {o.path})"
    return f"{o.status:<8} {o.name:<6} {council_name[:40]:<40} {secs}{tail}".rstrip()


def _run_local_cold(jobs: list[Job], n: int, timeout: float,
                    staging_root: Path) -> Iterator[tuple[Job, int, float]]:
    return run_cold(jobs, max(1, min(n, len(jobs))), timeout)


def _run_local_warm(jobs: list[Job], n: int, timeout: float,
                    staging_root: Path) -> Iterator[tuple[Job, int, float]]:
    from sharedservices.pipeline.warm import run_jobs

    env = worker_env(write_kernel_profile(staging_root / "ipython"))  # the cold runs' kernel profile
    return run_jobs(jobs, n, timeout, Path(jobs[0].notebook).parent, env, staging_root)


def _run_dask(scheduler: Any, jobs: list[Job], timeout: float,
              staging_root: Path, err: TextIO) -> Iterator[tuple[Job, int, float]]:
    from sharedservices.pipeline import cluster

    ident = cluster.checkout_identity()
    client = cluster.connect(scheduler)
    try:
        count = cluster.check_workers(client, ident)
        print(f"dask: {count} worker(s) at {client.scheduler.address}, all on "
              f"commit {str(ident['commit'])[:12]}", file=err, flush=True)
        for job, result in cluster.run_on_cluster(client, jobs, timeout, ident):
            staging = job.staging_dir
            with output_errors(staging):
                for rel, payload in result.get("files", {}).items():
                    target = staging / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(payload)
                problem = result.get("refused") or result.get("error")
                if problem:
                    Failure(problem).write(staging)
            if result.get("leak"):
                raise StateLeak(result["leak"])
            yield job, int(result["rc"]), float(result["seconds"])
    finally:
        try:
            client.run(cluster.close_pool)  # the workers' long-lived kernels end with the batch
        except Exception:  # noqa: BLE001 - a worker that is gone has no kernel left
            pass
        client.close()


def batch(notebook: Path | str, councils: str, raw_parameters: dict[str, Any] | None = None, *,
          root: Path | None = None, reports_dir: Path | None = None, tag: str | None = None,
          scheduler: Any = None, jobs: int | None = None, force: bool = False,
          timeout: float = DEFAULT_TIMEOUT, wait: bool = False, executor: str = "warm",
          figure_formats: str | tuple[str, ...] = BATCH_FIGURE_FORMATS,
          out: TextIO | None = None, err: TextIO | None = None) -> BuildSummary:
    """Build one report of ``notebook`` per selected council.

    Parameters
    ----------
    notebook : Path or str
        Notebook whose schema has a ``council`` parameter.
    councils : str
        ``all``, a class (``SC``, ``SD``, ``UA``, ``MD``, ``L``) or comma-separated council
        names or RS/ONS codes (:func:`sharedservices.report.params.select_councils`).
    raw_parameters : dict, optional
        Other parameters, applied to every council (validated once).
    root, reports_dir : Path, optional
        Project root and its ``reports/`` (defaults as for ``build``).
    tag : str, optional
        Publish under ``reports/councils/TAG/`` (a slug).
    scheduler : str or distributed cluster, optional
        Run on a Dask cluster at this address instead of local processes.
    jobs : int, optional
        Local notebooks at once (default: number of CPUs).
    force : bool
        Rebuild councils whose reports are current.
    timeout : float
        Per-notebook time limit, seconds.
    wait : bool
        Wait for the build lock instead of raising ``LockHeld``.
    executor : {"warm", "cold"}
        Local executor (see the module docstring).
    figure_formats : str or tuple of str
        Formats figures are rendered and exported in: ``"svg"`` (default), ``"png"`` or
        ``"png,svg"``.

    Returns
    -------
    BuildSummary
        One outcome per council (named by RS code), in completion order.

    Raises
    ------
    InputError
        Anything invalid, before any kernel starts and before anything is written.
    LockHeld
        Another build or batch holds ``reports/.build.lock``.
    """
    from sharedservices.inputs import data

    root = Path(root or paths.ROOT)
    reports_dir = Path(reports_dir or root / "reports")
    out = out or __import__("sys").stdout
    err = err or __import__("sys").stderr
    if jobs is not None and jobs < 1:
        raise InputError(f"-j: {jobs} is out of range (allowed: integer 1 or more)")
    if not timeout > 0:
        raise InputError(f"--timeout: {timeout} is out of range (allowed: seconds > 0)")
    if executor not in EXECUTORS:
        raise InputError(f"executor: {executor!r} is not known (allowed: {', '.join(EXECUTORS)})")
    formats = ",".join(check_figure_formats(figure_formats, "--figure-formats"))
    if isinstance(scheduler, str):
        from sharedservices.pipeline.cluster import check_address

        check_address(scheduler)
    dest = batch_dir(reports_dir, tag)
    nb = Path(notebook).resolve()
    if nb.suffix != ".ipynb" or not nb.is_file():
        raise InputError(f"notebook {cut(str(notebook))!r}: does not exist (allowed: a path to an .ipynb file)")
    params_mod.check_notebook(nb)
    try:
        nb_rel = nb.relative_to(root.resolve()).as_posix()
    except ValueError:
        nb_rel = str(nb)
    codes = params_mod.select_councils(councils)
    if not codes:
        raise InputError(f"--councils: {show(councils)} selects no council (allowed: all, a class or codes)")
    shared = council_parameters(nb, dict(raw_parameters or {}), codes[0])
    validate_inputs()
    table = data.councils().set_index("ecode")
    names = {c: str(table.at[c, "name"]) for c in codes}
    titles = {c: report_title(nb, data.short_name(names[c])) for c in codes}

    summary = BuildSummary()
    from sharedservices.pipeline.councils_index import write_councils_index

    with build_lock(reports_dir, wait):
        ensure_dir(dest)
        clean_staging(dest)
        try:
            tree = tree_hash(root)
            todo: list[tuple[str, dict[str, Any], str]] = []
            for code in codes:
                parameters = {**shared, "council": code}
                entry = json.dumps({"notebook": nb_rel, "parameters": parameters, "tag": tag,
                                    "figure_formats": formats}, sort_keys=True, default=str)
                fp = report_fingerprint(tree, nb, entry)
                if force or not is_current(dest, code, fp):
                    check_destination(dest, code, f"council {code}")
                    todo.append((code, parameters, fp))
                else:
                    clear_failure(dest / FAILED, code)  # current again: that failure is stale
                    o = Outcome(code, "skipped")
                    summary.outcomes.append(o)
                    print(_line(o, names[code]), file=out, flush=True)
            manifests: dict[str, dict[str, Any] | None] = {}

            index = _IndexWriter(lambda: write_councils_index(dest, nb_rel, tag, manifests))

            def index_one(code: str | None = None) -> None:
                if code is None:
                    index.flush()
                else:  # after a council: its manifest now, the page at most every INDEX_INTERVAL s
                    index.update(lambda: manifests.__setitem__(code, read_manifest(dest, code)))

            index_one()  # before anything runs: the index describes what is there now
            if todo:
                from sharedservices.pipeline import provenance

                prov = provenance.collect(root)
                try:
                    _run_todo(todo, nb, nb_rel, dest, prov, names, titles, jobs or os.cpu_count() or 1,
                              timeout, scheduler, executor, summary, out, err, index_one, formats)
                except BaseException:  # Ctrl-C, SIGTERM, a leak: the index lists what is published
                    with contextlib.suppress(Exception):
                        index_one()
                    raise
            index_one()
        finally:
            clean_staging(dest)  # however the batch ends: done, Ctrl-C, exit 4
    return summary


def _run_todo(todo: list[tuple[str, dict[str, Any], str]], nb: Path, nb_rel: str, dest: Path,
              prov: dict[str, Any], names: dict[str, str], titles: dict[str, str], n: int,
              timeout: float,
              scheduler: Any, executor: str, summary: BuildSummary, out: TextIO,
              err: TextIO, after_each: Callable[[str], None], figure_formats: str = BATCH_FIGURE_FORMATS) -> None:
    from sharedservices.pipeline.progress import Progress

    staging_root = ensure_dir(dest / STAGING)
    jobs: list[Job] = []
    fingerprints: dict[str, str] = {}
    for code, parameters, fp in todo:
        staging = staging_root / f"{code}-{os.getpid()}"
        with output_errors(staging):
            staging.mkdir(parents=True)
        job = make_job(code, titles[code], nb, nb_rel, parameters, staging, timeout, prov)
        jobs.append(job.with_(figure_formats=figure_formats))
        fingerprints[code] = fp
    run: Callable[[], Iterator[tuple[Job, int, float]]]
    if scheduler is not None:
        def run() -> Iterator[tuple[Job, int, float]]:
            return _run_dask(scheduler, jobs, timeout, staging_root, err)
    elif executor == "cold":
        def run() -> Iterator[tuple[Job, int, float]]:
            return _run_local_cold(jobs, n, timeout, staging_root)
    else:
        def run() -> Iterator[tuple[Job, int, float]]:
            return _run_local_warm(jobs, n, timeout, staging_root)
    with Progress(len(jobs), out, err, unit="council") as bar:
        for job, rc, seconds in run():
            code = job.name
            o = finish(job, rc, seconds, dest, fingerprints[code])
            summary.outcomes.append(o)
            after_each(code)
            bar.write(_line(o, names[code]))
            bar.update(failed=o.status == "failed")
