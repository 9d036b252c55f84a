"""The one kernel runner: execute a notebook with papermill, then export it, into a staging dir.

:func:`execute` runs one :class:`~sharedservices.pipeline.jobs.Job`, cold or warm:

- **cold** (``km=None``): papermill starts a fresh kernel (``build``, ``run``, ``batch``
  with ``executor="cold"``, a Dask task).  The parent (:mod:`.runner`) starts ``python -m
  sharedservices.pipeline.execute JOB.json`` in its own session, so a timeout or Ctrl-C can
  kill the worker and its kernel together;
- **warm** (``km`` a started kernel manager): papermill runs the notebook on a kernel that
  has already imported the libraries and loaded the data (:mod:`.warm`, ``batch``).

Either way the kernel starts in the notebook's folder, a run that fails before any cell ran
(a kernel that would not start, or a warm kernel that misbehaved) is retried once on a cold
kernel, and the results written into the job's staging dir are the same:

- ``executed.ipynb`` (always, as far as it ran),
- on success ``NAME.html``, ``NAME/`` (figures, tables, sidecars) and ``outputs.json``,
- on failure ``failure.json`` (:class:`~sharedservices.pipeline.jobs.Failure`), exit code 1;
- when its outputs cannot be written (disk full, read-only, permissions:
  :func:`~sharedservices.pipeline.jobs.is_disk_error`) the ``OSError`` propagates; a worker
  turns it into one line on stderr and exit code 4, which the parent turns into ``OutputError``.

Speed (issue 7): the worker blocks the optional ``rfc3987_syntax`` package before anything
imports ``jsonschema`` (it builds an Earley parser at import, 1-4 s, for an ``iri`` format
check no notebook schema uses), and warms the HTML exporter (nbconvert import, template
compilation) in a background thread while the kernel runs, so export starts hot.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sharedservices.pipeline.jobs import EXIT_OUTPUT, Failure, Job, is_disk_error, write_json

__all__ = ["block_slow_optional_imports", "execute", "main", "report_disk_error"]


def _ran_any_cell(executed: Path) -> bool:
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(c.get("execution_count") for c in nb.get("cells", []))


def execute(job: Job, km: Any | None = None) -> int:
    """Execute and export one job; return 0 (built) or 1 (failed, ``failure.json`` written).

    Parameters
    ----------
    job : Job
    km : jupyter_client kernel manager, optional
        A started (warm) kernel to run on; None starts a cold one.

    Raises
    ------
    OSError
        The outputs cannot be written (:func:`~sharedservices.pipeline.jobs.is_disk_error`).
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from sharedservices.pipeline import export

    staging = job.staging_dir
    executed = staging / "executed.ipynb"
    notebook = Path(job.notebook)
    warm = threading.Thread(target=export.warm_up, name="warm-exporter", daemon=True)
    warm.start()
    started = time.monotonic()
    for attempt in (1, 2):
        kwargs = {"km": km} if (attempt == 1 and km is not None) else {}
        try:
            pm.execute_notebook(
                str(notebook), str(executed), parameters=job.parameters,
                kernel_name=job.kernel, cwd=str(notebook.parent),
                progress_bar=False, log_output=False, request_save_on_cell_execute=True,
                execution_timeout=job.timeout, start_timeout=60, **kwargs,
            )
            break
        except PapermillExecutionError as exc:
            Failure.from_cell(exc).write(staging)
            return 1
        except Exception as exc:  # kernel start or hand-over, or other machinery failure
            if is_disk_error(exc):
                raise
            if attempt == 1 and not _ran_any_cell(executed):
                where = "once on a cold kernel" if km is not None else "once"
                print(f"kernel start failed ({type(exc).__name__}: {exc}); retrying {where}", file=sys.stderr)
                continue
            Failure.from_exception(exc).write(staging)
            return 1
    seconds = time.monotonic() - started
    from sharedservices.pipeline.provenance import build_time

    # the report's own build time (when its notebook finished), not the build's start
    prov = {**job.provenance, "build_time": build_time()}
    warm.join()
    try:
        outputs = export.export_report(executed, staging, job.name, job.title, job.notebook_rel,
                                       job.parameters, prov)
    except Exception as exc:
        if is_disk_error(exc):
            raise
        Failure.from_exception(exc, "export failed: ").write(staging)
        return 1
    outputs["execute_seconds"] = round(seconds, 2)
    outputs["build_time"] = prov["build_time"]
    write_json(staging / "outputs.json", outputs)
    return 0


def report_disk_error(exc: OSError, job: Job) -> int:
    """One line on stderr for outputs that cannot be written; return :data:`EXIT_OUTPUT`."""
    try:  # the log may be on the full disk too; the exit code is what counts
        print(f"outputs: cannot write {str(exc.filename or job.staging)!r} ({exc.strerror or exc})",
              file=sys.stderr, flush=True)
    except OSError:
        pass
    return EXIT_OUTPUT


def block_slow_optional_imports() -> None:
    """Make ``import rfc3987_syntax`` fail (ImportError) in this process, if not yet imported.

    ``jsonschema`` imports it, when installed, only to offer an ``iri`` format checker;
    building its grammar costs seconds per process and neither nbformat's schema nor
    papermill uses that format.  ``jsonschema`` skips the checker on ImportError.

    Examples
    --------
    >>> import sys
    >>> saved = sys.modules.pop("rfc3987_syntax", "absent")
    >>> block_slow_optional_imports()
    >>> try:
    ...     import rfc3987_syntax
    ... except ImportError:
    ...     print("blocked")
    blocked
    >>> _ = sys.modules.pop("rfc3987_syntax")
    >>> if saved != "absent":
    ...     sys.modules["rfc3987_syntax"] = saved
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM from the parent (timeout or Ctrl-C): unwind so the kernel is shut down."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point of a cold worker process: ``python -m sharedservices.pipeline.execute JOB.json``."""
    argv = sys.argv[1:] if argv is None else argv
    block_slow_optional_imports()
    signal.signal(signal.SIGTERM, _terminate)
    job = Job.read(argv[0])
    try:
        return execute(job)
    except OSError as exc:
        if not is_disk_error(exc):
            raise
        return report_disk_error(exc, job)


if __name__ == "__main__":  # pragma: no cover - exercised through the build tests
    sys.exit(main())
