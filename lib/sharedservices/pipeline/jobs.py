"""What the runner hands a worker, and what a worker hands back when a notebook fails.

A :class:`Job` is one notebook run: the notebook, its validated parameters, the staging
folder its outputs go to, the time limit and the provenance shared by the build.  It travels
as ``job.json`` (to a cold worker process, to a warm worker over its pipe, to a Dask worker
pickled).  A :class:`Failure` is the record a failed run leaves in its staging folder as
``failure.json``, read back by the runner to write the failure report; every way a run can
fail (a cell raised, the kernel did not start, the export broke, the time ran out, the worker
died) makes one here, so the file has one shape.

Also here: the kernels' start-up profile (seeded random number generators, no history) and
:class:`Workers`, the registry of worker processes that Ctrl-C or a timeout kills with their
kernels.  Importing this module is cheap (no pandas, no papermill).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = [
    "DISK_ERRNOS",
    "EXIT_OUTPUT",
    "EXIT_STATE_LEAK",
    "KERNEL_CONFIG",
    "KERNEL_NAME",
    "KERNEL_STARTUP",
    "Failure",
    "Job",
    "Workers",
    "is_disk_error",
    "strip_ansi",
    "worker_env",
    "write_json",
    "write_kernel_profile",
]

KERNEL_NAME = "sharedservices"
#: Worker exit code when outputs cannot be written (the suite's exit code for that).
EXIT_OUTPUT = 4
#: Worker exit code when a notebook leaked state in a reused kernel (the suite's exit code for that).
EXIT_STATE_LEAK = 6
#: ``errno`` values meaning "the outputs cannot be written here", not a notebook failure.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                         errno.EPERM, errno.ENOTDIR})
#: Kernel start-up code (IPython profile of each run): seed the global random number
#: generators so that anything drawing on them (e.g. seaborn's strip-plot jitter) gives
#: the same figure in every build.
KERNEL_STARTUP = """\
import random as _random
_random.seed(0)
try:
    import numpy as _np
    _np.random.seed(0)
except ImportError:  # pragma: no cover
    pass
"""
#: Kernel configuration (same profile): no command history database for a batch run.
KERNEL_CONFIG = "c.HistoryManager.enabled = False\n"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes.

    Examples
    --------
    >>> strip_ansi("\\x1b[0;31mValueError\\x1b[0m: bad")
    'ValueError: bad'
    """
    return _ANSI.sub("", text)


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


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented, sorted JSON (values that are not JSON as text)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")


@dataclass(frozen=True)
class Job:
    """One notebook run.

    Attributes
    ----------
    name : str
        The report's name (``reports/NAME.html``; a council's RS code in a batch).
    title : str or None
        The report's title (None: the notebook's first heading).
    notebook : str
        Absolute path of the notebook to run.
    notebook_rel : str
        The notebook as the report names it (relative to the project root).
    parameters : dict
        Validated parameters, defaults filled in.
    staging : str
        The run's own staging folder: ``executed.ipynb``, then the outputs or ``failure.json``.
    timeout : float
        Whole-notebook time limit, seconds.
    provenance : dict
        The build's provenance (:func:`sharedservices.pipeline.provenance.collect`).
    kernel : str
        Jupyter kernel to run on.
    figure_formats : str
        Formats figures are rendered in, comma-separated (``png,svg``; ``batch``: ``svg``).
    """

    name: str
    title: str | None
    notebook: str
    notebook_rel: str
    parameters: dict[str, Any]
    staging: str
    timeout: float
    provenance: dict[str, Any] = field(default_factory=dict)
    kernel: str = KERNEL_NAME
    figure_formats: str = "png,svg"

    @property
    def staging_dir(self) -> Path:
        """:attr:`staging` as a path."""
        return Path(self.staging)

    def with_(self, **changes: Any) -> Job:
        """A copy with some fields changed (e.g. another staging folder on a Dask worker)."""
        return replace(self, **changes)

    def write(self, path: Path | None = None) -> Path:
        """Write the job as JSON (default ``STAGING/job.json``); return the path."""
        path = self.staging_dir / "job.json" if path is None else path
        write_json(path, asdict(self))
        return path

    @classmethod
    def read(cls, path: Path | str) -> Job:
        """The job written by :meth:`write`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Failure:
    """Why a run failed, as ``failure.json`` records it.

    Attributes
    ----------
    error : str
        One line: the exception and its message, or what happened to the run.
    cell_index, execution_count : int or None
        The failing cell, where a cell failed.
    cell_source : str
        The failing cell's code.
    traceback : str
        The traceback (colour codes removed), or the tail of the worker's log.
    """

    error: str
    cell_index: int | None = None
    execution_count: int | None = None
    cell_source: str = ""
    traceback: str = ""

    FILE = "failure.json"

    @classmethod
    def from_cell(cls, exc: Any) -> Failure:
        """A cell raised (papermill's ``PapermillExecutionError``)."""
        return cls(f"{exc.ename}: {strip_ansi(str(exc.evalue))}", exc.cell_index, exc.exec_count, exc.source,
                   strip_ansi("\n".join(exc.traceback)))

    @classmethod
    def from_exception(cls, exc: BaseException, what: str = "") -> Failure:
        """The machinery failed (kernel start, export): the first line of the exception."""
        return cls(strip_ansi(f"{what}{type(exc).__name__}: {exc}".splitlines()[0]))

    @classmethod
    def timed_out(cls, timeout: float) -> Failure:
        """The notebook ran past its time limit."""
        return cls(f"timed out: the notebook ran longer than {timeout:g} s (allowed: --timeout SECONDS)")

    @classmethod
    def worker_ended(cls, rc: int, log_tail: str) -> Failure:
        """The worker process ended without recording why (killed, crashed)."""
        return cls(f"the worker process ended with code {rc}", traceback=log_tail)

    @classmethod
    def state_leak(cls, job: Job, names: list[str]) -> Failure:
        """The notebook changed module-level values of the library in a reused kernel.

        Examples
        --------
        >>> job = Job("E5014", None, "/p/nb.ipynb", "notebooks/nb.ipynb", {}, "/tmp/s", 60.0)
        >>> print(Failure.state_leak(job, ["sharedservices.report.style.CLASS_COLOURS"]).error)
        state leak: notebooks/nb.ipynb for E5014 changed sharedservices.report.style.CLASS_COLOURS, which the next report in this kernel would see (allowed: a report leaves the library's module-level values as it found them; a cache is named in its module's __cache_names__, per-run state in __run_state__)
        """
        from sharedservices.pipeline.leaks import describe

        return cls(f"state leak: {job.notebook_rel} for {job.name} changed {describe(names)}, which the next "
                   "report in this kernel would see (allowed: a report leaves the library's "
                   "module-level values as it found them; a cache is named in its module's "
                   "__cache_names__, per-run state in __run_state__)")

    def write(self, staging: Path) -> None:
        """Write ``staging/failure.json``."""
        write_json(staging / self.FILE, asdict(self))

    @classmethod
    def read(cls, staging: Path) -> Failure:
        """The record in ``staging/failure.json``."""
        return cls(**json.loads((staging / cls.FILE).read_text(encoding="utf-8")))

    @classmethod
    def exists(cls, staging: Path) -> bool:
        """Whether the run left a failure record."""
        return (staging / cls.FILE).is_file()


def write_kernel_profile(ipython_dir: Path) -> Path:
    """Write the kernels' IPython profile (:data:`KERNEL_STARTUP`, :data:`KERNEL_CONFIG`)
    under ``ipython_dir``; return it (the workers' ``IPYTHONDIR``)."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-sharedservices-seed.py").write_text(KERNEL_STARTUP, encoding="utf-8")
    (startup.parent / "ipython_kernel_config.py").write_text(KERNEL_CONFIG, encoding="utf-8")
    return ipython_dir


def worker_env(ipython_dir: Path | None = None) -> dict[str, str]:
    """The environment of a worker process: fixed hash seed, the kernels' profile."""
    env = dict(os.environ, PYTHONHASHSEED="0", PYDEVD_DISABLE_FILE_VALIDATION="1")
    if ipython_dir is not None:
        env["IPYTHONDIR"] = str(ipython_dir)
    return env


class Workers:
    """Running worker processes, so Ctrl-C or a timeout can kill them with their kernels."""

    def __init__(self) -> None:
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def add(self, p: subprocess.Popen[bytes]) -> None:
        """Track a worker."""
        with self._lock:
            self._procs.add(p)

    def discard(self, p: subprocess.Popen[bytes]) -> None:
        """Stop tracking a worker (it ended)."""
        with self._lock:
            self._procs.discard(p)

    @staticmethod
    def kill(p: subprocess.Popen[bytes], grace: float = 3.0) -> None:
        """SIGTERM the worker (it shuts its kernel down), then SIGKILL after ``grace`` s.

        The kernel runs in its own session; should it outlive the worker, its parent
        poller ends it within a few seconds.
        """
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
            try:
                os.killpg(p.pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            try:
                p.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        p.wait()

    def kill_all(self) -> None:
        """Kill every tracked worker."""
        with self._lock:
            procs = list(self._procs)
        for p in procs:
            self.kill(p)
