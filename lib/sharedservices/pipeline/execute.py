"""Run one notebook in a worker process: papermill, then export, into a staging dir.

The parent (:mod:`.runner`) starts ``python -m sharedservices.pipeline.execute JOB.json`` in
its own session (so a timeout or Ctrl-C can kill the worker and its kernel together).  The
worker executes the notebook with papermill on the ``sharedservices`` kernel, working
directory = the notebook's folder, kernel start retried once; then converts it to HTML in
the same process and writes into the job's staging dir:

- ``executed.ipynb`` (always, as far as it ran),
- on success ``NAME.html``, ``NAME/`` (figures, tables, sidecars) and ``outputs.json``,
- on failure ``failure.json`` (error, failing cell, traceback) and exit code 1;
- when its outputs cannot be written (disk full, read-only, permissions: :func:`is_disk_error`)
  one line on stderr and exit code 4, which the parent turns into ``OutputError``.

Speed (issue 7): the worker blocks the optional ``rfc3987_syntax`` package before anything
imports ``jsonschema`` (it builds an Earley parser at import, 1-4 s, for an ``iri`` format
check no notebook schema uses), and warms the HTML exporter (nbconvert import, template
compilation) in a background thread while the kernel runs, so export starts hot.
"""

from __future__ import annotations

import errno
import json
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

KERNEL_NAME = "sharedservices"
#: Worker exit code when outputs cannot be written (the suite's exit code for that).
EXIT_OUTPUT = 4
#: ``errno`` values meaning "the outputs cannot be written here", not a notebook failure.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                         errno.EPERM, errno.ENOTDIR})
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes.

    Examples
    --------
    >>> strip_ansi("\\x1b[0;31mValueError\\x1b[0m: bad")
    'ValueError: bad'
    """
    return _ANSI.sub("", text)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")


def _ran_any_cell(executed: Path) -> bool:
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(c.get("execution_count") for c in nb.get("cells", []))


def execute(job: dict[str, Any]) -> int:
    """Execute and export one job; return the worker's exit code (0 ok, 1 failed)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    staging = Path(job["staging"])
    executed = staging / "executed.ipynb"
    notebook = Path(job["notebook"])
    from sharedservices.pipeline import export

    warm = threading.Thread(target=export.warm_up, name="warm-exporter", daemon=True)
    warm.start()
    started = time.monotonic()
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(notebook), str(executed), parameters=job["parameters"],
                kernel_name=job.get("kernel", KERNEL_NAME), cwd=str(notebook.parent),
                progress_bar=False, log_output=False, request_save_on_cell_execute=True,
                execution_timeout=job.get("timeout"), start_timeout=60,
            )
            break
        except PapermillExecutionError as exc:
            _write_json(staging / "failure.json", {
                "error": f"{exc.ename}: {strip_ansi(str(exc.evalue))}",
                "cell_index": exc.cell_index, "execution_count": exc.exec_count,
                "cell_source": exc.source,
                "traceback": strip_ansi("\n".join(exc.traceback)),
            })
            return 1
        except Exception as exc:  # kernel start or other machinery failure
            if is_disk_error(exc):
                raise
            if attempt == 1 and not _ran_any_cell(executed):
                print(f"kernel start failed ({type(exc).__name__}: {exc}); retrying once",
                      file=sys.stderr)
                continue
            _write_json(staging / "failure.json", {
                "error": strip_ansi(f"{type(exc).__name__}: {exc}".splitlines()[0]),
                "cell_index": None, "execution_count": None, "cell_source": "",
                "traceback": "",
            })
            return 1
    seconds = time.monotonic() - started
    warm.join()
    try:
        outputs = export.export_report(executed, staging, job["name"], job["title"],
                                job["notebook_rel"], job["parameters"], job["provenance"])
    except Exception as exc:
        if is_disk_error(exc):
            raise
        _write_json(staging / "failure.json", {
            "error": f"export failed: {type(exc).__name__}: {exc}".splitlines()[0],
            "cell_index": None, "execution_count": None, "cell_source": "", "traceback": "",
        })
        return 1
    outputs["execute_seconds"] = round(seconds, 2)
    _write_json(staging / "outputs.json", outputs)
    return 0


def is_disk_error(exc: BaseException) -> bool:
    """True if ``exc`` says outputs cannot be written (disk full, read-only, permissions).

    Examples
    --------
    >>> import errno
    >>> is_disk_error(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> is_disk_error(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    False
    """
    return isinstance(exc, OSError) and exc.errno in DISK_ERRNOS


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
    """Entry point of the worker process: ``python -m sharedservices.pipeline.execute JOB.json``."""
    argv = sys.argv[1:] if argv is None else argv
    block_slow_optional_imports()
    signal.signal(signal.SIGTERM, _terminate)
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        return execute(job)
    except OSError as exc:
        if not is_disk_error(exc):
            raise
        try:  # the log may be on the full disk too; the exit code is what counts
            print(f"outputs: cannot write {str(exc.filename or job['staging'])!r} "
                  f"({exc.strerror or exc})", file=sys.stderr, flush=True)
        except OSError:
            pass
        return EXIT_OUTPUT


if __name__ == "__main__":  # pragma: no cover - exercised through the build tests
    sys.exit(main())
