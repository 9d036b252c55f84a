"""Warm kernels for ``batch``: a long-lived worker that keeps the next kernel ready.

A cold run (:func:`sharedservices.pipeline.runner.run_job`) pays, for every report, a new
worker process (Python, papermill and nbconvert imports), a new kernel, and the kernel's
imports of pandas, matplotlib and ``sharedservices`` plus the loading and validation of the
processed data.  For a batch of hundreds of councils that fixed cost dominates.

Here each of the ``-j`` slots has one worker process, ``python -m
sharedservices.pipeline.warm NOTEBOOK_DIR``, that lives for the whole batch.  It always holds
one *spare* kernel, started in the notebook's folder, that has already imported the
libraries, loaded the data (:data:`WARM_UP`) and re-seeded its random number generators.
When a job arrives the worker hands the spare kernel to papermill and at once starts the
next spare, which warms up while the notebook runs.  After the run the kernel is shut down:
**each kernel serves exactly one council**, so no state leaks between reports (the
isolation of a cold run); only the time of start-up and imports leaves the critical path.

Protocol: the parent writes one line per job (the path of its ``job.json``, the same
:class:`~sharedservices.pipeline.jobs.Job` a cold worker takes) to the worker's stdin and
reads one line back, the exit code (0 built, 1 failed, 4 outputs not writable).  The run
itself is :func:`sharedservices.pipeline.execute.execute` on the spare kernel, the one kernel
runner of cold and warm runs alike, so results land in the job's staging directory exactly
as a cold run's do; if a warm kernel misbehaves before any cell ran, it retries once on a
cold kernel.  End of input shuts the spare kernel down and ends the worker.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sharedservices.errors import OutputError
from sharedservices.pipeline.execute import execute, report_disk_error
from sharedservices.pipeline.jobs import (
    EXIT_OUTPUT,
    KERNEL_NAME,
    KERNEL_STARTUP,
    Failure,
    Job,
    Workers,
    is_disk_error,
)

#: Code run (silently, outside the history) in each spare kernel before it is handed a
#: notebook: the imports every report makes and the processed data every report reads.
#: Failures are ignored here; the notebook then meets them itself and reports them.
WARM_UP = """\
def _sharedservices_warm_up():
    import importlib
    for _m in ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn",
               "sharedservices", "sharedservices.report.display", "sharedservices.report.style",
               "sharedservices.inputs.data", "sharedservices.inputs.assumptions", "sharedservices.model.scenario",
               "sharedservices.model.uncertainty", "sharedservices.report.figures", "sharedservices.report.tables",
               "sharedservices.report.findings", "sharedservices.report.params"):
        try:
            importlib.import_module(_m)
        except Exception:
            pass
    try:
        from sharedservices.inputs import data
        for _f in ("councils", "spending", "finance", "codes"):
            try:
                getattr(data, _f)()
            except Exception:
                pass
        from sharedservices.inputs import assumptions
        assumptions.load_all()
    except Exception:
        pass
_sharedservices_warm_up()
del _sharedservices_warm_up
"""
WARM_UP_TIMEOUT = 180.0


def _run_sync(coro_fn: Any) -> Any:
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)


class SpareKernel:
    """A kernel started now and warming up in the background (see :data:`WARM_UP`)."""

    def __init__(self, cwd: Path, kernel_name: str, startup_code: str) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.manager import AsyncKernelManager

        self.km = AsyncKernelManager(kernel_name=kernel_name)
        _run_sync(self.km.start_kernel)(cwd=str(cwd))
        self.kc = BlockingKernelClient()
        self.kc.load_connection_info(self.km.get_connection_info())
        self.kc.start_channels()
        # queued by zmq until the kernel listens; it runs while the worker is busy elsewhere
        self.msg_id = self.kc.execute(WARM_UP + startup_code, silent=True, store_history=False)

    def take(self, timeout: float = WARM_UP_TIMEOUT) -> Any | None:
        """Wait for the warm-up to finish; return the kernel manager, or None if it failed."""
        deadline = time.monotonic() + timeout
        ok = False
        try:
            while (left := deadline - time.monotonic()) > 0:
                msg = self.kc.get_shell_msg(timeout=left)
                if msg["parent_header"].get("msg_id") == self.msg_id:
                    ok = msg["content"].get("status") == "ok"
                    break
        except Exception as exc:  # queue.Empty on timeout, or a dead kernel
            print(f"warm-up failed ({type(exc).__name__}: {exc})", file=sys.stderr)
        finally:
            self.kc.stop_channels()
        if not ok:
            self.shutdown()
            return None
        return self.km

    def shutdown(self) -> None:
        """Stop the kernel (immediately: it is discarded)."""
        shutdown(self.km)


def shutdown(km: Any) -> None:
    """Shut a kernel manager's kernel down now; never raises."""
    if km is None:
        return
    try:
        if km.has_kernel:
            _run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # pragma: no cover - the kernel's parent poller ends it anyway
        print(f"kernel shutdown failed ({exc})", file=sys.stderr)


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Worker loop: ``python -m sharedservices.pipeline.warm NOTEBOOK_DIR [KERNEL]``."""
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _terminate)
    cwd = Path(argv[0])
    kernel_name = argv[1] if len(argv) > 1 else KERNEL_NAME
    # the protocol keeps the real stdout; anything else printed goes to the log (stderr)
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    spare: SpareKernel | None = None
    try:
        spare = SpareKernel(cwd, kernel_name, KERNEL_STARTUP)
        for line in sys.stdin:
            job = Job.read(line.strip())
            km = spare.take() if spare is not None else None
            try:
                spare = SpareKernel(cwd, kernel_name, KERNEL_STARTUP)
            except Exception as exc:  # next job falls back to a cold kernel
                print(f"could not start a spare kernel ({exc})", file=sys.stderr)
                spare = None
            try:
                rc = execute(job, km)
            except OSError as exc:  # outputs cannot be written: exit code 4, as the cold worker
                if not is_disk_error(exc):
                    raise
                rc = report_disk_error(exc, job)
            finally:
                shutdown(km)
            proto.write(f"{rc}\n")
    finally:
        if spare is not None:
            spare.shutdown()
    return 0


class WarmWorker:
    """Parent side of one worker process (one ``-j`` slot); restarted after a kill."""

    def __init__(self, notebook_dir: Path, env: dict[str, str], log: Path) -> None:
        self.notebook_dir = notebook_dir
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "sharedservices.pipeline.warm", str(self.notebook_dir)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                    start_new_session=True, env=self.env)
        return self.proc

    def run(self, job: Job, timeout: float) -> tuple[int, float]:
        """Run one job; return (exit code, seconds).  Never raises on a failed notebook.

        Raises OutputError (exit 4) when the worker could not write the outputs.
        """
        staging = job.staging_dir
        job.write()
        started = time.monotonic()
        p = self._start()
        assert p.stdin is not None and p.stdout is not None
        offset = self.log.stat().st_size if self.log.exists() else 0
        try:
            p.stdin.write(f"{staging / 'job.json'}\n".encode())
            p.stdin.flush()
        except BrokenPipeError:
            pass
        fd = p.stdout.fileno()
        reply = b""
        deadline = started + timeout
        while not reply.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self.kill()
                Failure.timed_out(timeout).write(staging)
                return 1, time.monotonic() - started
            chunk = os.read(fd, 64)
            if not chunk:  # the worker died
                rc = p.wait()
                self.proc = None
                if not Failure.exists(staging):
                    with open(self.log, "rb") as fh:
                        fh.seek(offset)
                        tail = fh.read().decode("utf-8", "replace")[-4000:]
                    Failure.worker_ended(rc, tail).write(staging)
                return 1, time.monotonic() - started
            reply += chunk
        rc = int(reply.strip() or 1)
        if rc == EXIT_OUTPUT:
            with open(self.log, "rb") as fh:
                fh.seek(offset)
                lines = fh.read().decode("utf-8", "replace").splitlines()
            line = next((x for x in reversed(lines) if x.startswith("outputs: cannot write")),
                        f"outputs: cannot write under {str(staging)!r} (disk full or not writable)")
            raise OutputError(f"{line} (allowed: a writable directory with free space)")
        return (0 if rc == 0 else 1), time.monotonic() - started

    def kill(self, grace: float = 3.0) -> None:
        """SIGTERM the worker (it shuts its kernels down), SIGKILL after ``grace`` s."""
        p, self.proc = self.proc, None
        if p is None:
            return
        Workers.kill(p, grace)

    def close(self, grace: float = 20.0) -> None:
        """End of input: the worker shuts its spare kernel down and exits."""
        p = self.proc
        if p is None:
            return
        try:
            assert p.stdin is not None
            p.stdin.close()
            p.wait(timeout=grace)
            self.proc = None
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


if __name__ == "__main__":  # pragma: no cover - exercised through the batch tests
    sys.exit(main())
