"""The one kernel runner: execute a notebook with papermill, then export it, into a staging dir.

Two ways to run one :class:`~sharedservices.pipeline.jobs.Job`, with the same results:

- **cold**, :func:`execute`: papermill starts a fresh kernel for the one notebook (``run``,
  ``build`` and ``batch`` with ``executor="cold"``).  The parent (:mod:`.runner`) starts
  ``python -m sharedservices.pipeline.execute JOB.json`` in its own session, so a timeout or
  Ctrl-C can kill the worker and its kernel together; a kernel that would not start is
  retried once;
- **reused**, :class:`KernelSession`: one long-lived kernel runs notebook after notebook
  (``build``, ``batch``, Dask workers: :mod:`.warm`).  It has imported the library, loaded
  the data and set the figure style once (:func:`.reuse.prepare`); each notebook gets
  papermill's parameter injection and execution on that kernel, then the kernel is reset to
  a fresh namespace and checked for leaked state (:func:`.reuse.finish`,
  :mod:`.leaks`); the worker exports the notebook (:func:`export_job`) while the kernel runs
  the next one.

The results written into the job's staging dir are the same either way:

- ``executed.ipynb`` (cold: always, as far as it ran; reused: the parameterised notebook
  when it starts, and as far as it ran when it failed),
- on success ``NAME.html``, ``NAME/`` (figures, tables, sidecars) and ``outputs.json``,
- on failure ``failure.json`` (:class:`~sharedservices.pipeline.jobs.Failure`), exit code 1;
- when its outputs cannot be written (disk full, read-only, permissions:
  :func:`~sharedservices.pipeline.jobs.is_disk_error`) the ``OSError`` propagates; a worker
  turns it into one line on stderr and exit code 4, which the parent turns into ``OutputError``.

Figures are rendered in the job's ``figure_formats`` (the kernel's
``SHAREDSERVICES_FIGURE_FORMATS``, read by :func:`sharedservices.report.display.figure_formats`).

Speed (issue 7): the worker blocks the optional ``rfc3987_syntax`` package before anything
imports ``jsonschema`` (it builds an Earley parser at import, 1-4 s, for an ``iri`` format
check no notebook schema uses), and warms the HTML exporter (nbconvert import, template
compilation) in a background thread while the kernel runs, so export starts hot.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sharedservices.pipeline.jobs import (
    EXIT_OUTPUT,
    KERNEL_NAME,
    KERNEL_STARTUP,
    Failure,
    Job,
    is_disk_error,
    write_json,
)
from sharedservices.report.display import FIGURE_FORMATS_ENV

__all__ = ["KernelError", "KernelSession", "block_slow_optional_imports", "execute", "export_job",
           "main", "ran_any_cell", "report_disk_error"]

#: Seconds a new kernel may take to start and to import the library and load the data.
PREPARE_TIMEOUT = 180.0
#: Seconds the reset and leak check after a notebook may take.
FINISH_TIMEOUT = 120.0
#: The papermill engine that runs a notebook on a :class:`KernelSession`'s kernel.
ENGINE = "sharedservices-reused-kernel"


def ran_any_cell(executed: Path) -> bool:
    """Whether the executed notebook's file records any cell as run."""
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
        A started kernel to run on once; None starts a cold one (the usual case).

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
    os.environ[FIGURE_FORMATS_ENV] = job.figure_formats  # a cold kernel inherits it
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
            if attempt == 1 and not ran_any_cell(executed):
                where = "once on a cold kernel" if km is not None else "once"
                print(f"kernel start failed ({type(exc).__name__}: {exc}); retrying {where}", file=sys.stderr)
                continue
            Failure.from_exception(exc).write(staging)
            return 1
    seconds = time.monotonic() - started
    from sharedservices.pipeline.provenance import build_time

    finished = build_time()
    warm.join()
    return export_job(job, executed, seconds, finished)


def export_job(job: Job, executed: Path | Any, seconds: float, finished: str | None = None) -> int:
    """Export an executed notebook (its file, or the notebook itself) into the job's staging
    dir and write ``outputs.json``; return 0, or 1 with ``failure.json`` if the export failed.

    ``finished`` is when the notebook finished (UTC, :func:`.provenance.build_time`; default:
    now): the report's own build time, not the build's start.

    Raises
    ------
    OSError
        The outputs cannot be written (:func:`~sharedservices.pipeline.jobs.is_disk_error`).
    """
    from sharedservices.pipeline import export
    from sharedservices.pipeline.provenance import build_time

    staging = job.staging_dir
    prov = {**job.provenance, "build_time": finished or build_time()}
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


class KernelError(RuntimeError):
    """The long-lived kernel did not answer as it should (died, timed out, raised)."""


def _run_sync(fn: Any) -> Any:
    from jupyter_core.utils import run_sync

    return run_sync(fn)


def _register_engine() -> None:
    """Register :data:`ENGINE` with papermill (once per process)."""
    from papermill.engines import NBClientEngine, papermill_engines

    if ENGINE in papermill_engines._engines:
        return

    class ReusedKernelEngine(NBClientEngine):
        """papermill's nbclient engine, on the session's kernel and client (kept running)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None,
                                     start_timeout: int = 60, execution_timeout: float | None = None,
                                     **kwargs: Any) -> Any:
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.engines import logger
            from papermill.utils import merge_kwargs, remove_args

            session: KernelSession = kwargs.pop("session")
            safe = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(safe, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logger, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=session.km, **final)
            client.kc = session.kc  # the session's client: nbclient neither starts nor stops it
            session.last_notebook = nb_man.nb
            if session.executed_path is not None:  # the parameterised notebook, before it runs
                from nbformat.v4 import writes_json  # (not validated again: papermill made it)

                session.executed_path.write_text(writes_json(nb_man.nb), encoding="utf-8")
            return client.execute()

    papermill_engines.register(ENGINE, ReusedKernelEngine)


class KernelSession:
    """A long-lived kernel that runs notebook after notebook, each in a fresh namespace.

    Parameters
    ----------
    cwd : Path
        Folder the kernel starts in (each notebook then runs in its own folder).
    kernel_name : str
        Jupyter kernel.
    startup : str
        The kernels' start-up code (random seeds), run again after every reset.

    Raises
    ------
    KernelError
        The kernel did not start, or could not import the library and load the data.
    """

    def __init__(self, cwd: Path, kernel_name: str = KERNEL_NAME, startup: str = KERNEL_STARTUP,
                 prepare_timeout: float = PREPARE_TIMEOUT) -> None:
        from jupyter_client.manager import AsyncKernelManager

        self.km: Any = AsyncKernelManager(kernel_name=kernel_name)
        self.kc: Any = None
        self.runs = 0
        self.last_notebook: Any = None
        self.executed_path: Path | None = None
        _run_sync(self.km.start_kernel)(cwd=str(cwd))
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            _run_sync(self.kc.wait_for_ready)(timeout=60)
            self.kc.allow_stdin = False
            self.prepared = self.call(f"prepare({startup!r})", prepare_timeout)
        except BaseException as exc:
            self.shutdown()
            if isinstance(exc, Exception) and not isinstance(exc, KernelError):
                raise KernelError(f"the kernel did not start ({type(exc).__name__}: {exc})") from exc
            raise

    @property
    def pid(self) -> int | None:
        """The kernel's process id (None if unknown)."""
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def alive(self) -> bool:
        """Whether the kernel process is running."""
        try:
            return bool(self.km.has_kernel and _run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def call(self, expression: str, timeout: float) -> Any:
        """Evaluate ``sharedservices.pipeline.reuse.EXPRESSION`` in the kernel; return its JSON value.

        Runs outside the notebook's history (``silent``, no execution count), through the
        protocol's ``user_expressions``.
        """
        expr = f"__import__('sharedservices.pipeline.reuse', fromlist=['reuse']).{expression}"
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"r": expr},
                                 allow_stdin=False)
        deadline = time.monotonic() + timeout
        get = _run_sync(self.kc.get_shell_msg)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelError(f"the kernel did not answer within {timeout:g} s")
            try:
                msg = get(timeout=min(left, 1.0))
            except Exception as exc:  # queue.Empty: check the kernel is still there
                if not self.alive():
                    raise KernelError("the kernel died") from exc
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                break
        content = msg["content"]
        result = content.get("user_expressions", {}).get("r", {})
        if content.get("status") != "ok" or result.get("status") != "ok":
            why = result if result.get("status") == "error" else content
            raise KernelError(f"{why.get('ename', 'error')}: {why.get('evalue', '')}")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def execute(self, job: Job) -> tuple[int, Any, float]:
        """Run the job's notebook on this kernel; reset and check the kernel afterwards.

        Returns
        -------
        tuple
            ``(rc, notebook, seconds)``: rc 0 with the executed notebook; 1 when the notebook
            failed (``failure.json`` and ``executed.ipynb`` written; the kernel was reset and
            can run the next one).

        Raises
        ------
        KernelError
            The kernel died, hung or could not be reset: discard this session (the job's
            ``failure.json`` is written).
        StateLeakFound
            The notebook changed module-level state of the library (the names are in it).
        OSError
            The outputs cannot be written (disk errors).
        """
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        _register_engine()
        staging = job.staging_dir
        executed = staging / "executed.ipynb"
        notebook = Path(job.notebook)
        self.last_notebook = None
        self.executed_path = executed
        started = time.monotonic()
        rc, nb = 0, None
        try:
            self.call(f"begin({str(notebook.parent)!r}, {{{FIGURE_FORMATS_ENV!r}: {job.figure_formats!r}}})", 30)
            # no executed.ipynb on success: the worker exports the notebook from memory
            nb = pm.execute_notebook(
                str(notebook), None, parameters=job.parameters, engine_name=ENGINE,
                kernel_name=job.kernel, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, execution_timeout=job.timeout, start_timeout=60,
                session=self)
        except PapermillExecutionError as exc:  # a cell raised: the notebook as far as it ran
            self._write_executed(executed)
            Failure.from_cell(exc).write(staging)
            rc = 1
        except Exception as exc:
            if is_disk_error(exc):
                raise
            self._write_executed(executed)
            Failure.from_exception(exc).write(staging)
            if not self.alive() or isinstance(exc, KernelError):
                raise KernelError(f"{type(exc).__name__}: {exc}") from exc
            rc = 1
        seconds = time.monotonic() - started
        changed = self.call("finish()", FINISH_TIMEOUT)  # KernelError if it cannot
        self.runs += 1
        if changed:
            raise StateLeakFound(changed)
        return rc, nb, seconds

    def _write_executed(self, executed: Path) -> None:
        """Write the notebook as far as it ran (for the failure report)."""
        if self.last_notebook is not None:
            import nbformat

            nbformat.write(self.last_notebook, str(executed))

    def shutdown(self) -> None:
        """Stop the kernel now; never raises."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        try:
            if self.km.has_kernel:
                _run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as exc:  # pragma: no cover - the kernel's parent poller ends it anyway
            print(f"kernel shutdown failed ({exc})", file=sys.stderr)


class StateLeakFound(Exception):  # noqa: N818 - a finding, carried to the worker loop
    """A notebook changed these module-level values of the library (``module.name``)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = list(names)


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
