"""Run one notebook in a worker process: papermill, then export, into a staging dir.

The parent (:mod:`.runner`) starts ``python -m sharedservices.build.execute JOB.json`` in
its own session (so a timeout or Ctrl-C can kill the worker and its kernel together).  The
worker executes the notebook with papermill on the ``sharedservices`` kernel, working
directory = the notebook's folder, kernel start retried once; then converts it to HTML in
the same process and writes into the job's staging dir:

- ``executed.ipynb`` (always, as far as it ran),
- on success ``NAME.html``, ``NAME/`` (figures, tables, sidecars) and ``outputs.json``,
- on failure ``failure.json`` (error, failing cell, traceback) and exit code 1.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

KERNEL_NAME = "sharedservices"
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
    from sharedservices.build.export import export_report

    try:
        outputs = export_report(executed, staging, job["name"], job["title"],
                                job["notebook_rel"], job["parameters"], job["provenance"])
    except Exception as exc:
        _write_json(staging / "failure.json", {
            "error": f"export failed: {type(exc).__name__}: {exc}".splitlines()[0],
            "cell_index": None, "execution_count": None, "cell_source": "", "traceback": "",
        })
        return 1
    outputs["execute_seconds"] = round(seconds, 2)
    _write_json(staging / "outputs.json", outputs)
    return 0


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM from the parent (timeout or Ctrl-C): unwind so the kernel is shut down."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the worker process: ``python -m sharedservices.build.execute JOB.json``."""
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _terminate)
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    return execute(job)


if __name__ == "__main__":  # pragma: no cover - exercised through the build tests
    sys.exit(main())
