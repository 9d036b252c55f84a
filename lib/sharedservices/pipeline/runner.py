"""The ``build`` and ``run`` commands: validate, decide, execute in parallel, publish.

Everything is validated (reports.yaml, every parameter, and, when something is to be
built, the processed data and assumptions) before any kernel starts.  Each notebook runs in
its own worker process and kernel (:mod:`.execute`), with its own staging directory; the
parent publishes results one at a time while holding ``reports/.build.lock``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sharedservices.errors import (
    DataError,
    InputError,
    NotebookFailed,
    OutputError,
    SharedServicesError,
    cut,
)
from sharedservices.inputs import paths
from sharedservices.pipeline.config import (
    COUNCILS_DIR,
    RESERVED_NAMES,
    Report,
    check_report,
    load_reports,
)
from sharedservices.pipeline.fingerprint import report_fingerprint, tree_hash
from sharedservices.pipeline.jobs import (
    EXIT_OUTPUT,
    Failure,
    Job,
    Workers,
    worker_env,
    write_kernel_profile,
)
from sharedservices.pipeline.publish import (
    FAILED,
    STAGING,
    build_lock,
    clean_staging,
    clear_failure,
    ensure_dir,
    foreign_output,
    output_errors,
    publish,
    publish_pdf,
    read_manifest,
    remove_staging_run,
    report_state,
    write_failure,
)
from sharedservices.report import params as params_mod
from sharedservices.report.titles import report_title

if TYPE_CHECKING:
    from sharedservices.pipeline.pdf import Printer

DEFAULT_TIMEOUT = 600.0


@dataclass
class Outcome:
    """What happened to one report."""

    name: str
    status: str  # built | skipped | failed | printed (only its PDF, from the published page)
    seconds: float = 0.0
    message: str = ""
    path: Path | None = None
    pdf_seconds: float | None = None  # the time its PDF took, if one was printed


@dataclass
class BuildSummary:
    """Outcomes of one build, in completion order."""

    outcomes: list[Outcome] = field(default_factory=list)

    def by_status(self, status: str) -> list[str]:
        """Names of the reports with ``status``."""
        return [o.name for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> list[str]:
        """Names of the reports that failed."""
        return self.by_status("failed")

    @property
    def pdfs(self) -> tuple[int, float]:
        """How many PDFs this build printed, and the seconds they took (all together)."""
        times = [o.pdf_seconds for o in self.outcomes if o.pdf_seconds is not None]
        return len(times), sum(times)


def validate_inputs() -> None:
    """Load and validate every processed table and assumptions file the notebooks read.

    Every table :mod:`sharedservices.inputs.data` knows (``councils``, ``spending``, ``finance``,
    ``codes``, ``england``) and ``sources.json`` must be present and pass the loaders'
    checks and the domain rules of :mod:`sharedservices.inputs.data_rules` (completeness, range,
    sign by line); every ``data/assumptions/*.yaml`` must load and pass its range rules.

    Raises
    ------
    DataError
        A file is missing or failed validation (the message names the file, and the row,
        column or key and the rule where known).
    """
    from sharedservices.inputs import assumptions, data, data_rules

    checks: list[tuple[str, Any]] = [
        (str(paths.processed_dir()), data.validate_processed),
        (str(paths.assumptions_dir()),
         lambda: data_rules.check_assumptions(assumptions.load_all())),
    ]
    for where, check in checks:
        try:
            check()
        except SharedServicesError:
            raise
        except Exception as exc:  # a loader bug or an unwrapped schema error
            first = (str(exc).splitlines() or [""])[0][:200]
            raise DataError(f"{where}: failed validation ({type(exc).__name__}: {first})") from None


def run_job(job: Job, timeout: float, workers: Workers) -> tuple[int, float]:
    """Run one job in a worker process; return (exit code, seconds).

    A failed notebook is exit code 1 (never raised).

    Raises
    ------
    OutputError
        The job's outputs could not be written (disk full, permissions): the worker exited
        with code 4, or the parent could not write the job's files.
    """
    staging = job.staging_dir
    with output_errors(staging):
        job.write()
        env = worker_env(write_kernel_profile(staging / "ipython"))
    started = time.monotonic()
    with output_errors(staging):
        log = open(staging / "worker.log", "wb")  # noqa: SIM115 - closed by the with below
    with log:
        p = subprocess.Popen([sys.executable, "-m", "sharedservices.pipeline.execute",
                              str(staging / "job.json")], stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        workers.add(p)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            workers.kill(p)
            with output_errors(staging):
                Failure.timed_out(timeout).write(staging)
            rc = 1
        finally:
            workers.discard(p)
    if rc == EXIT_OUTPUT:
        raise OutputError(_output_error_line(staging))
    if rc != 0 and not Failure.exists(staging):
        tail = (staging / "worker.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        with output_errors(staging):
            Failure.worker_ended(rc, tail).write(staging)
        rc = 1
    return rc, time.monotonic() - started


def _output_error_line(staging: Path) -> str:
    """One line for a worker that could not write its outputs (exit code 4)."""
    try:
        lines = (staging / "worker.log").read_text(encoding="utf-8", errors="replace").splitlines()
        line = next(x for x in reversed(lines) if x.startswith("outputs: cannot write"))
    except (OSError, StopIteration):
        line = f"outputs: cannot write under {str(staging)!r} (disk full or not writable)"
    return f"{line} (allowed: a writable directory with free space)"


def make_job(name: str, title: str | None, notebook: Path, notebook_rel: str, parameters: dict[str, Any],
             staging: Path, timeout: float, provenance: dict[str, Any]) -> Job:
    """The :class:`~sharedservices.pipeline.jobs.Job` of one report."""
    return Job(name=name, title=title, notebook=str(notebook), notebook_rel=notebook_rel, parameters=parameters,
               staging=str(staging), timeout=timeout, provenance=provenance)


def finish(job: Job, rc: int, seconds: float, dest_dir: Path, fingerprint: str | None = None, *,
           printer: Printer | None = None, drop_pdf: bool = False) -> Outcome:
    """Publish a finished job into ``dest_dir`` (its manifest carries ``fingerprint``), or write
    its failure report under ``dest_dir/_failed/``; return what happened.

    With ``printer`` (``build --pdf``) the page is printed to ``NAME.pdf`` in staging first
    and published with it; ``drop_pdf`` (``build`` without ``--pdf``) removes the PDF of the
    page replaced.  A failed print raises (exit 5) before anything is published.
    """
    staging = job.staging_dir
    failed_dir = dest_dir / FAILED
    if rc == 0:
        outputs = json.loads((staging / "outputs.json").read_text(encoding="utf-8"))
        manifest = {
            "name": job.name, "title": outputs["title"], "notebook": job.notebook_rel,
            "status": "complete", "fingerprint": fingerprint,
            "html_sha256": outputs["html_sha256"], "files": outputs["files"],
            "headlines": outputs["headlines"], "key_findings": outputs["key_findings"],
            # build_time: the report's own, from its worker (execute.py), not the build's start
            "provenance": {**job.provenance, **{k: outputs[k] for k in ("build_time",) if k in outputs},
                           "parameters": job.parameters},
            "seconds": round(seconds, 1),
        }
        printed = None
        if printer is not None:
            printed = printer.print_pdf(staging / f"{job.name}.html", staging / f"{job.name}.pdf")
            manifest["pdf"] = printed.manifest_entry(job.name)
        path = publish(staging, dest_dir, job.name, manifest, drop_pdf=drop_pdf)
        clear_failure(failed_dir, job.name)
        if printed is None:
            return Outcome(job.name, "built", seconds, path=path)
        return Outcome(job.name, "built", seconds, path=path, pdf_seconds=printed.seconds,
                       message=_pdf_note(printed.pages, printed.seconds))
    failure = Failure.read(staging)
    path = write_failure(failed_dir, job.name, job.title or job.name, failure, job.parameters,
                         staging / "executed.ipynb", job.notebook_rel)
    return Outcome(job.name, "failed", seconds, message=failure.error, path=path)


def _pdf_note(pages: int, seconds: float) -> str:
    return f"PDF {pages} page{'' if pages == 1 else 's'}, {seconds:.1f} s"


def fix_pdf(name: str, reports_dir: Path, staging_root: Path, printer: Printer | None) -> Outcome:
    """A current report whose PDF is missing or no longer matches (:func:`publish.report_state`
    ``"pdf"``): with ``printer``, print the published ``reports/NAME.html`` to ``NAME.pdf`` in
    staging and publish it with the manifest; without, remove the PDF and its record
    (:func:`publish.publish_pdf`)."""
    manifest = read_manifest(reports_dir, name)
    assert manifest is not None  # report_state said "pdf": the manifest is complete
    staging = staging_root / f"{name}-pdf-{os.getpid()}"
    with output_errors(staging):
        staging.mkdir(parents=True, exist_ok=True)
    try:
        if printer is None:
            publish_pdf(staging, reports_dir, name, {k: v for k, v in manifest.items() if k != "pdf"})
            return Outcome(name, "skipped", message="its PDF no longer matched: removed "
                                                    "(`make pdf` prints it)")
        printed = printer.print_pdf(reports_dir / f"{name}.html", staging / f"{name}.pdf")
        path = publish_pdf(staging, reports_dir, name, {**manifest, "pdf": printed.manifest_entry(name)})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Outcome(name, "printed", printed.seconds, path=path, pdf_seconds=printed.seconds,
                   message=f"PDF {printed.pages} page{'' if printed.pages == 1 else 's'}")


def _line(o: Outcome, width: int) -> str:
    secs = f"{o.seconds:6.1f} s" if o.status != "skipped" else ""
    tail = f"  {o.message}" if o.message else ""
    if o.status == "failed" and o.path is not None:
        tail += f" (see {o.path})"
    return f"{o.status:<8} {o.name:<{width}} {secs}{tail}".rstrip()


def build(root: Path | None = None, *, reports_dir: Path | None = None,
          reports_yaml: Path | None = None, force: bool = False, jobs: int | None = None,
          only: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT, wait: bool = False,
          pdf: bool = False, out: TextIO | None = None,
          err: TextIO | None = None) -> BuildSummary:
    """Build the published reports declared in reports.yaml.

    Then compare the published headlines with those recorded by the last build that changed
    any, print what changed and keep ``reports/CHANGES.md`` (:mod:`.changes`).

    Parameters
    ----------
    root : Path, optional
        Project root (default: the repository holding this package).
    reports_dir, reports_yaml : Path, optional
        Default ``root/reports`` and ``root/reports.yaml``.
    force : bool
        Rebuild even reports whose fingerprint is unchanged.
    jobs : int, optional
        Notebooks run at once (default: the number of CPUs).
    only : list of str, optional
        Build only these report names.
    timeout : float
        Whole-notebook time limit in seconds.
    wait : bool
        Wait for another build's lock instead of raising :class:`LockHeld`.
    pdf : bool
        Also print each report to ``reports/NAME.pdf`` (:mod:`.pdf`); a report current but
        for its PDF only gets its PDF.  Without it, a report rebuilt loses its old PDF.

    Returns
    -------
    BuildSummary
        One outcome per report; the caller turns failures into exit code 1.

    Raises
    ------
    ToolMissing, ToolFailed
        With ``pdf``: no Chromium (before anything runs), or it failed to print (exit 5;
        the report being printed is not published, those published before it stay).
    """
    root = Path(root or paths.ROOT)
    reports_dir = Path(reports_dir or root / "reports")
    reports_yaml = Path(reports_yaml or root / "reports.yaml")
    out = out or sys.stdout
    err = err or sys.stderr
    if jobs is not None and jobs < 1:
        raise InputError(f"-j: {jobs} is out of range (allowed: integer 1 or more)")
    if not timeout > 0:
        raise InputError(f"--timeout: {timeout} is out of range (allowed: seconds > 0)")
    reports = load_reports(reports_yaml, root, check_councils=False)
    selected = reports
    if only:
        known = {r.name for r in reports}
        for name in only:
            if name not in known:
                raise InputError(f"--only: {name!r} is not a report in reports.yaml "
                                 f"(allowed: {', '.join(sorted(known))})")
        selected = [r for r in reports if r.name in set(only)]
    summary = BuildSummary()
    width = max((len(r.name) for r in selected), default=10)
    from contextlib import nullcontext

    from sharedservices.pipeline.changes import record_changes
    from sharedservices.pipeline.index import write_index

    chromium = None
    if pdf:
        from sharedservices.pipeline.browser import find_chromium

        chromium = find_chromium(task="build --pdf")  # exit 5 before anything runs

    with build_lock(reports_dir, wait):
        clean_staging(reports_dir)
        try:
            tree = tree_hash(root)
            todo: list[tuple[Report, str]] = []
            pdf_only: list[Report] = []
            for r in selected:
                fp = report_fingerprint(tree, r.notebook, r.entry_json())
                state = "stale" if force else report_state(reports_dir, r.name, fp, pdf)
                if state == "stale":
                    todo.append((r, fp))
                    continue
                # current again (e.g. an input was broken, then fixed): a failure report
                # from the broken inputs no longer applies
                clear_failure(reports_dir / FAILED, r.name)
                if state == "pdf":
                    pdf_only.append(r)
                    continue
                o = Outcome(r.name, "skipped")
                summary.outcomes.append(o)
                print(_line(o, width), file=out, flush=True)
            for r, _ in todo:
                check_report(r, reports_yaml.name)
            for r in [r for r, _ in todo] + pdf_only:
                check_destination(reports_dir, r.name, f"{reports_yaml.name}: report {r.name!r}",
                                  pdf=True)
            from sharedservices.pipeline.pdf import Printer

            with Printer(chromium) if chromium is not None else nullcontext() as printer:
                if todo:
                    validate_inputs()
                    from sharedservices.pipeline import provenance

                    prov = provenance.collect(root)
                    _run_all(todo, reports_dir, prov, jobs or os.cpu_count() or 1, timeout,
                             summary, width, out, err, printer=printer,
                             after_each=lambda: write_index(reports_dir, reports))
                if pdf_only:
                    staging_root = ensure_dir(reports_dir / STAGING)
                    for r in pdf_only:
                        o = fix_pdf(r.name, reports_dir, staging_root, printer)
                        summary.outcomes.append(o)
                        print(_line(o, width), file=out, flush=True)
            changes = record_changes(reports_dir, reports)
            write_index(reports_dir, reports)  # also repairs an index that was replaced
            if changes.lines or any(o.status != "skipped" for o in summary.outcomes):
                for line in changes.summary():
                    print(line, file=out, flush=True)
        finally:
            clean_staging(reports_dir)  # however the build ends: done, Ctrl-C, exit 4
    return summary


def check_destination(dest_dir: Path, name: str, what: str, pdf: bool = False) -> None:
    """Refuse (exit 2) to publish ``name`` where a file the suite did not write would go.

    Raises
    ------
    InputError
        ``NAME/``, ``NAME.json`` or ``NAME.html`` (and, with ``pdf``, ``NAME.pdf``) exists in
        ``dest_dir`` and was not written by sharedservices
        (:func:`sharedservices.pipeline.publish.foreign_output`).
    """
    foreign = foreign_output(dest_dir, name, pdf=pdf)
    if foreign is not None:
        kind = "folder" if foreign.is_dir() else "file"
        raise InputError(f"{what}: the {kind} {cut(str(foreign))!r} exists and was not written "
                         "by sharedservices, and publishing would replace it (allowed: a name "
                         "whose .html, .json and folder are absent or the suite's own; move "
                         "the file away or choose another name)")


def _run_all(todo: list[tuple[Report, str]], reports_dir: Path, prov: dict[str, Any],
             jobs: int, timeout: float, summary: BuildSummary, width: int,
             out: TextIO, err: TextIO, after_each: Any = None,
             printer: Printer | None = None) -> None:
    """Run the reports to build, ``jobs`` at once, publishing each as it finishes (printed
    to PDF first, in this thread, with ``printer``; the other notebooks keep running).

    When every notebook lives in one folder (the published set: ``notebooks/``) they run on
    ``jobs`` long-lived kernels (:func:`sharedservices.pipeline.warm.run_jobs`: the library
    imported and the data loaded once per kernel, each report in a fresh namespace, checked
    for leaked state); otherwise each report gets a cold worker process (:func:`run_job`).
    """
    from sharedservices.pipeline.progress import Progress
    from sharedservices.pipeline.warm import run_jobs

    staging_root = ensure_dir(reports_dir / STAGING)
    n = min(jobs, len(todo))
    fingerprints: dict[str, str] = {}
    made: list[Job] = []
    for r, fp in todo:
        staging = staging_root / f"{r.name}-{os.getpid()}"
        with output_errors(staging):
            staging.mkdir(parents=True)
        made.append(make_job(r.name, r.title, r.notebook, r.notebook_rel, r.parameters, staging, timeout, prov))
        fingerprints[r.name] = fp
    dirs = {Path(j.notebook).resolve().parent for j in made}
    if len(dirs) == 1:
        ipython = staging_root / "ipython"
        with output_errors(ipython):
            env = worker_env(write_kernel_profile(ipython))
        results: Any = run_jobs(made, n, timeout, dirs.pop(), env, staging_root)
    else:
        results = run_cold(made, n, timeout)
    with Progress(len(made), out, err, unit="report") as bar:
        for job, rc, seconds in results:
            o = finish(job, rc, seconds, reports_dir, fingerprints[job.name], printer=printer, drop_pdf=True)
            summary.outcomes.append(o)
            if after_each is not None:
                after_each()  # the index describes what is published, report by report
            bar.write(_line(o, width))
            bar.update(failed=o.status == "failed")


def run_cold(jobs: list[Job], n: int, timeout: float) -> Any:
    """Each job in its own cold worker process, ``n`` at once; yield (job, rc, seconds)."""
    workers = Workers()
    pool = ThreadPoolExecutor(max_workers=max(1, n))
    try:
        futures = {pool.submit(run_job, j, timeout, workers): j for j in jobs}
        for fut in as_completed(futures):
            rc, seconds = fut.result()
            yield futures[fut], rc, seconds
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        workers.kill_all()
        raise
    finally:
        pool.shutdown(wait=True)


def adhoc_name(notebook: Path, extra: dict[str, Any], council: str | None = None) -> str:
    """Name of an ad-hoc run's report: from the notebook, the council and the other parameters.

    With a council: the notebook's number and first word, then the council's name as a slug
    (``30-payback-bristol``); without one: the notebook's stem (``00-data-overview``).  When
    ``extra`` (the parameters other than the council that differ from their defaults) is not
    empty, a short hash of it follows, so runs with other values never overwrite each other
    while a second run with the same values replaces the first.

    Examples
    --------
    >>> nb = Path("notebooks/30-payback-vs-cuts.ipynb")
    >>> adhoc_name(nb, {}, "Bristol"), adhoc_name(nb, {"horizon": 12}, "Hammersmith & Fulham")
    ('30-payback-bristol', '30-payback-hammersmith-and-fulham-a39e1dcb')
    >>> adhoc_name(Path("notebooks/00-data-overview.ipynb"), {})
    '00-data-overview'
    >>> adhoc_name(Path("notebooks/00-data-overview.ipynb"), {"latest_year": "2012-13"})
    '00-data-overview-749b7739'
    """
    stem = Path(notebook).stem
    if council is None:
        name = stem
    else:
        m = re.match(r"^(\d+)-([a-z0-9]+)", stem)
        name = f"{m.group(0) if m else stem}-{council_slug(council)}"
    if extra:
        text = json.dumps(extra, sort_keys=True, default=str)
        name = f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return name


def council_slug(name: str) -> str:
    """A council's name as it goes into a file name.

    Examples
    --------
    >>> council_slug("Bristol"), council_slug("Kingston-upon-Hull"), council_slug("King's Lynn & West Norfolk")
    ('bristol', 'kingston-upon-hull', 'kings-lynn-and-west-norfolk')
    """
    from sharedservices.report.params.councils import name_key

    return re.sub(r"[^a-z0-9]+", "-", name_key(name)).strip("-") or "council"


def _adhoc_council(notebook: Path, parameters: dict[str, Any]) -> tuple[str | None, str | None]:
    """The name of the notebook's council parameter and the council's short name, if it has one
    (:func:`sharedservices.inputs.data.council_name`)."""
    from sharedservices.inputs import data

    field = next((s.name for s in params_mod.describe(notebook) if s.council), None)
    if field is None or not isinstance(parameters.get(field), str):
        return field, None
    return field, data.council_name(parameters[field])


def _non_default(notebook: Path, parameters: dict[str, Any], leave_out: str | None) -> dict[str, Any]:
    """The validated ``parameters`` whose values differ from the notebook's defaults."""
    defaults = params_mod.defaults(notebook)
    missing = object()

    def same(a: Any, b: Any) -> bool:
        return bool(a == b) or (json.dumps(a, sort_keys=True, default=str)
                                == json.dumps(b, sort_keys=True, default=str))

    return {k: v for k, v in parameters.items()
            if k != leave_out and not same(v, defaults.get(k, missing))}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_output_name(dest_dir: Path, name: str, out_html: Path, reports_dir: Path) -> None:
    """Refuse an ``-o`` path whose name belongs to the build (exit 2)."""
    shown = cut(str(out_html))
    if name == "index" or name.startswith(("_", ".")):
        raise InputError(f"-o: {shown!r}: the name {name!r} is reserved for the build's index "
                         "pages and folders (allowed: a name not 'index' and not starting "
                         "with '_' or '.')")
    if dest_dir == reports_dir and name in RESERVED_NAMES:
        raise InputError(f"-o: {shown!r}: reports/{name} is the build's own "
                         f"{'folder' if name != 'index' else 'page'} (allowed: any other "
                         f"name; reserved: {', '.join(RESERVED_NAMES)})")
    if _inside(dest_dir, reports_dir / COUNCILS_DIR):
        raise InputError(f"-o: {shown!r} is inside reports/{COUNCILS_DIR}/, which only `batch` "
                         "writes (allowed: a path outside it; for one council use "
                         "`batch NOTEBOOK --councils CODE`)")


def run_adhoc(notebook: Path, raw_parameters: dict[str, Any], *, out_html: Path | None = None,
              root: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
              out: TextIO | None = None, wait: bool = False) -> Path:
    """One ad-hoc run with the build's validation and outputs; return the HTML path.

    Without ``out_html`` the report goes to ``reports/adhoc/NAME.html``, named by
    :func:`adhoc_name` (``30-payback-bristol``, and a hash of any other parameters set away
    from their defaults).  A notebook with a council parameter is titled for the council
    (:func:`sharedservices.report.titles.report_title`: "Can shared services close Bristol's
    funding gap in time?"), with or without ``out_html``.
    A run that writes inside the project's ``reports/`` holds the build lock (as ``build``
    and ``batch`` do), so a build starting meanwhile cannot remove its staging files.
    Nothing the suite did not write is replaced: an existing ``NAME/``, ``NAME.json`` or
    ``NAME.html`` beside the output must be the suite's own.

    Raises
    ------
    InputError
        Bad notebook, parameters, output path or data (before any kernel starts).
    LockHeld
        A build, batch or other run holds the lock of ``reports/`` (unless ``wait``).
    NotebookFailed
        The notebook raised; the failure report is under ``<output dir>/_failed/``.
    """
    from contextlib import nullcontext

    root = Path(root or paths.ROOT)
    out = out or sys.stdout
    notebook = Path(notebook).resolve()
    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise InputError(f"notebook {cut(str(notebook))!r}: does not exist (allowed: a path to an .ipynb file)")
    params_mod.check_notebook(notebook)
    parameters = params_mod.validate(notebook, raw_parameters)
    if out_html is not None and Path(out_html).suffix != ".html":
        raise InputError(f"-o: {cut(str(out_html))!r} does not end in .html (allowed: a path OUT.html)")
    if not timeout > 0:
        raise InputError(f"--timeout: {timeout} is out of range (allowed: seconds > 0)")
    reports_dir = (root / "reports").resolve()
    if out_html is not None:
        dest_dir, name = Path(out_html).resolve().parent, Path(out_html).stem
        _check_output_name(dest_dir, name, Path(out_html), reports_dir)
    field, council = _adhoc_council(notebook, parameters)
    title = report_title(notebook, council) if council else None
    if out_html is None:
        dest_dir = reports_dir / "adhoc"
        name = adhoc_name(notebook, _non_default(notebook, parameters, field), council)
    check_destination(dest_dir, name, f"-o: {cut(str(dest_dir / (name + '.html')))!r}")
    validate_inputs()
    try:
        rel = notebook.relative_to(root).as_posix()
    except ValueError:
        rel = str(notebook)
    lock = build_lock(reports_dir, wait) if _inside(dest_dir, reports_dir) else nullcontext()
    with lock:
        ensure_dir(dest_dir)
        check_destination(dest_dir, name, f"-o: {cut(str(dest_dir / (name + '.html')))!r}")
        from sharedservices.pipeline import provenance

        prov = provenance.collect(root)
        staging = dest_dir / STAGING / f"{name}-{os.getpid()}"
        workers = Workers()
        try:  # from the first folder made: however the run ends, no staging folder is left
            with output_errors(staging):
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir(parents=True)
            job = make_job(name, title, notebook, rel, parameters, staging, timeout, prov)
            rc, seconds = run_job(job, timeout, workers)
            o = finish(job, rc, seconds, dest_dir)
        except BaseException:
            workers.kill_all()
            raise
        finally:
            remove_staging_run(staging)  # and .staging itself, unless another run uses it
        if dest_dir == reports_dir:
            _refresh_index(root, reports_dir)
    print(_line(o, len(name)), file=out, flush=True)
    if o.status == "failed":
        raise NotebookFailed(f"{rel}: {o.message} (failure report: {o.path})")
    assert o.path is not None
    return o.path


def _refresh_index(root: Path, reports_dir: Path) -> None:
    """Rewrite reports/index.html after a run replaced a page beside it (if reports.yaml
    is valid; the next build does it otherwise)."""
    from sharedservices.pipeline.index import write_index

    try:
        reports = load_reports(root / "reports.yaml", root, check_councils=False)
    except InputError:
        return
    write_index(reports_dir, reports)
