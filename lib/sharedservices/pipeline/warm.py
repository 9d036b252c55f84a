"""Long-lived kernels: each worker's one kernel runs report after report.

A cold run (:func:`sharedservices.pipeline.runner.run_job`) pays, for every report, a new
worker process (Python, papermill and nbconvert imports), a new kernel, and the kernel's
imports of pandas, matplotlib and ``sharedservices`` plus the loading and validation of the
processed data.  For a batch of hundreds of councils that fixed cost dominates.

Here each of the ``-j`` slots has one worker process, ``python -m
sharedservices.pipeline.warm NOTEBOOK_DIR``, that lives for the whole batch or build and
holds **one kernel for all its reports** (:class:`~sharedservices.pipeline.execute.KernelSession`):
it imports the library, loads the data and sets the figure style once, then runs each
report with papermill's parameter injection in a fresh namespace; after each report the
kernel is reset to the state a fresh kernel starts in and its library modules are checked
for leaked state (:mod:`.reuse`, :mod:`.leaks`).  While the kernel runs the next report, the
worker exports the previous one (nbconvert, in a thread of its own), so a slot keeps its
kernel busy.

Protocol: the parent writes one line per job, the path of its ``job.json`` (the same
:class:`~sharedservices.pipeline.jobs.Job` a cold worker takes), and only when the worker's
kernel is free.  The worker writes back, one line each:

* ``ready`` -- the kernel is free (the last job's notebook ran, the kernel is reset and
  checked): send the next job;
* ``done NAME RC PID RUNS`` -- job NAME is finished: 0 built, 1 failed (``failure.json``
  written), 4 outputs not writable, 6 the notebook leaked state (``failure.json`` says
  what); it ran on the kernel with process id PID as its RUNS-th report (``0 0``: a cold
  run, when no long-lived kernel would start).

A kernel that dies or hangs is replaced by a new one (a job that had not run any cell is
retried once on it); a kernel that leaked state is replaced too.  End of input: the worker
finishes its exports, shuts its kernel down and exits.  :func:`run_jobs` is the parent side
for many jobs on ``n`` workers (``build``, ``batch``); :meth:`WarmWorker.run` runs one job
and waits for it (a Dask task).
"""

from __future__ import annotations

import gc
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sharedservices.errors import OutputError, StateLeak
from sharedservices.pipeline.jobs import (
    EXIT_OUTPUT,
    EXIT_STATE_LEAK,
    KERNEL_NAME,
    KERNEL_STARTUP,
    Failure,
    Job,
    Workers,
    is_disk_error,
)

__all__ = ["WarmWorker", "main", "run_jobs"]


# --------------------------------------------------------------------------------------
# The worker process
# --------------------------------------------------------------------------------------


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


class _Worker:
    """The worker process's state: its kernel session, its export thread, its replies."""

    def __init__(self, cwd: Path, kernel_name: str, proto: Any) -> None:
        self.cwd = cwd
        self.kernel_name = kernel_name
        self.proto = proto
        self.lock = threading.Lock()
        self.session: Any = None
        self.exporter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")

    def reply(self, line: str) -> None:
        with self.lock:
            self.proto.write(line + "\n")
            self.proto.flush()

    def new_session(self) -> Any:
        from sharedservices.pipeline.execute import KernelError, KernelSession

        self.drop_session()
        try:
            self.session = KernelSession(self.cwd, self.kernel_name, KERNEL_STARTUP)
        except KernelError as exc:
            print(f"could not start a long-lived kernel ({exc}); running cold", file=sys.stderr, flush=True)
            self.session = None
        return self.session

    def drop_session(self) -> None:
        if self.session is not None:
            self.session.shutdown()
            self.session = None

    def run(self, job: Job) -> None:
        """Run one job; reply ``ready`` when the kernel is free and ``done`` when it is finished."""
        from sharedservices.pipeline.execute import (
            KernelError,
            StateLeakFound,
            execute,
            ran_any_cell,
            report_disk_error,
        )

        staging = job.staging_dir
        rc: int | None = None
        nb: Any = None
        seconds = 0.0
        kernel = "0 0"  # the kernel's pid and how many reports it has run (0 0: a cold run)
        try:
            for attempt in (1, 2):
                session = self.session or self.new_session()
                if session is None:  # no long-lived kernel: one cold run (it exports too)
                    rc = execute(job)
                    break
                try:
                    kernel = f"{session.pid or 0} {session.runs + 1}"
                    rc, nb, seconds = session.execute(job)
                    break
                except KernelError as exc:
                    self.drop_session()
                    if attempt == 1 and not ran_any_cell(staging / "executed.ipynb"):
                        print(f"kernel failed before any cell ran ({exc}); retrying once on a new kernel",
                              file=sys.stderr, flush=True)
                        (staging / Failure.FILE).unlink(missing_ok=True)
                        continue
                    if not Failure.exists(staging):  # e.g. the kernel died in its reset
                        Failure.from_exception(exc).write(staging)
                    rc = 1
                    break
                except StateLeakFound as leak:
                    self.drop_session()  # tainted: the next job gets a new kernel
                    Failure.state_leak(job, leak.names).write(staging)
                    rc = EXIT_STATE_LEAK
                    break
        except OSError as exc:
            if not is_disk_error(exc):
                raise
            rc = report_disk_error(exc, job)
        assert rc is not None
        if rc != 0 or nb is None:
            self.reply(f"done {job.name} {rc} {kernel}")
            self.reply("ready")
            return
        from sharedservices.pipeline.provenance import build_time

        finished = build_time()  # the report's own build time: when its notebook finished
        self.reply("ready")
        self.exporter.submit(self._export, job, nb, seconds, kernel, finished)

    def _export(self, job: Job, nb: Any, seconds: float, kernel: str, finished: str) -> None:
        from sharedservices.pipeline.execute import export_job, report_disk_error

        try:
            rc = export_job(job, nb, seconds, finished)
        except OSError as exc:
            rc = report_disk_error(exc, job) if is_disk_error(exc) else 1
            if rc == 1:
                Failure.from_exception(exc, "export failed: ").write(job.staging_dir)
        except BaseException as exc:  # noqa: BLE001 - never leave the parent waiting
            rc = 1
            Failure.from_exception(exc, "export failed: ").write(job.staging_dir)
        self.reply(f"done {job.name} {rc} {kernel}")

    def close(self) -> None:
        self.exporter.shutdown(wait=True)
        self.drop_session()


def main(argv: list[str] | None = None) -> int:
    """Worker loop: ``python -m sharedservices.pipeline.warm NOTEBOOK_DIR [KERNEL]``."""
    from sharedservices.pipeline import export
    from sharedservices.pipeline.execute import block_slow_optional_imports

    argv = sys.argv[1:] if argv is None else argv
    block_slow_optional_imports()
    signal.signal(signal.SIGTERM, _terminate)
    cwd = Path(argv[0])
    kernel_name = argv[1] if len(argv) > 1 else KERNEL_NAME
    # the protocol keeps the real stdout; anything else printed goes to the log (stderr)
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    warming = threading.Thread(target=export.warm_up, name="warm-exporter", daemon=True)
    warming.start()
    worker = _Worker(cwd, kernel_name, proto)
    try:
        worker.new_session()
        warming.join()
        gc.collect()
        gc.freeze()  # papermill, nbconvert and their templates live as long as the worker
        for line in sys.stdin:
            if line.strip():
                worker.run(Job.read(line.strip()))
    finally:
        worker.close()
    return 0


# --------------------------------------------------------------------------------------
# The parent side
# --------------------------------------------------------------------------------------


class WorkerEnded(Exception):  # noqa: N818 - an event, not an error of the user's
    """The worker process ended (crashed or was killed)."""


class WarmWorker:
    """Parent side of one worker process (one ``-j`` slot); restarted after it ended."""

    def __init__(self, notebook_dir: Path, env: dict[str, str], log: Path) -> None:
        self.notebook_dir = notebook_dir
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self._buf = b""
        self._log_offset = 0
        #: (kernel pid, its report count) of the last job :meth:`run` ran ((0, 0): cold)
        self.last_kernel: tuple[int, int] = (0, 0)

    @property
    def running(self) -> bool:
        """Whether the worker process is running."""
        return self.proc is not None and self.proc.poll() is None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self._log_offset = self.log.stat().st_size if self.log.exists() else 0
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "sharedservices.pipeline.warm", str(self.notebook_dir)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                    start_new_session=True, env=self.env)
            self._buf = b""
        return self.proc

    def send(self, job: Job) -> None:
        """Hand the worker one job (starting the worker if it is not running)."""
        from sharedservices.pipeline.publish import output_errors

        with output_errors(job.staging_dir):
            job.write()
        p = self._start()
        assert p.stdin is not None
        try:
            p.stdin.write(f"{job.staging_dir / 'job.json'}\n".encode())
            p.stdin.flush()
        except BrokenPipeError:
            pass  # the worker ended: the next read says so

    def fileno(self) -> int:
        """The worker's reply pipe."""
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def read_lines(self) -> list[str]:
        """Reply lines available now (call when the pipe is readable).

        Raises
        ------
        WorkerEnded
            The worker closed its end: it ended.
        """
        chunk = os.read(self.fileno(), 65536)
        if not chunk:
            raise WorkerEnded
        self._buf += chunk
        *lines, self._buf = self._buf.split(b"\n")
        return [x.decode("utf-8", "replace").strip() for x in lines if x.strip()]

    def log_tail(self, limit: int = 4000) -> str:
        """What the current worker process wrote to its log (the end of it)."""
        try:
            with open(self.log, "rb") as fh:
                fh.seek(self._log_offset)
                return fh.read().decode("utf-8", "replace")[-limit:]
        except OSError:
            return ""

    def reap(self) -> int:
        """Wait for an ended worker; return its exit code."""
        p, self.proc = self.proc, None
        return p.wait() if p is not None else 0

    def output_error(self, staging: Path) -> OutputError:
        """The OutputError (exit 4) for a job the worker could not write."""
        lines = self.log_tail(100_000).splitlines()
        line = next((x for x in reversed(lines) if x.startswith("outputs: cannot write")),
                    f"outputs: cannot write under {str(staging)!r} (disk full or not writable)")
        return OutputError(f"{line} (allowed: a writable directory with free space)")

    def run(self, job: Job, timeout: float) -> tuple[int, float]:
        """Run one job and wait for it; return (exit code 0 or 1, seconds).

        Raises
        ------
        OutputError
            The worker could not write the outputs (exit 4).
        StateLeak
            The notebook leaked state (exit 6).
        """
        started = time.monotonic()
        self.send(job)
        deadline = started + timeout
        while True:
            left = deadline - time.monotonic()
            ready = select.select([self.fileno()], [], [], left)[0] if left > 0 else []
            if not ready:
                self.kill()
                Failure.timed_out(timeout).write(job.staging_dir)
                return 1, time.monotonic() - started
            try:
                lines = self.read_lines()
            except WorkerEnded:
                rc = self.reap()
                if not Failure.exists(job.staging_dir):
                    Failure.worker_ended(rc, self.log_tail()).write(job.staging_dir)
                return 1, time.monotonic() - started
            for line in lines:
                parts = line.split()
                if parts[:1] == ["done"] and len(parts) >= 3 and parts[1] == job.name:
                    self.last_kernel = (int(parts[3]), int(parts[4])) if len(parts) >= 5 else (0, 0)
                    return _result(self, job, int(parts[2])), time.monotonic() - started

    def kill(self, grace: float = 3.0) -> None:
        """SIGTERM the worker (it shuts its kernel down), SIGKILL after ``grace`` s."""
        p, self.proc = self.proc, None
        if p is None:
            return
        Workers.kill(p, grace)

    def close(self, grace: float = 20.0) -> None:
        """End of input: the worker finishes its exports, shuts its kernel down and exits."""
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


def _result(worker: WarmWorker, job: Job, rc: int) -> int:
    """A worker's exit code as the runner counts it (0 or 1); raise for 4 and 6."""
    if rc == EXIT_OUTPUT:
        raise worker.output_error(job.staging_dir)
    if rc == EXIT_STATE_LEAK:
        raise StateLeak(Failure.read(job.staging_dir).error)
    return 0 if rc == 0 else 1


class _Slot:
    """Dispatch bookkeeping of one worker: the job its kernel runs, the jobs not yet done."""

    def __init__(self, worker: WarmWorker) -> None:
        self.worker = worker
        self.executing: str | None = None
        self.outstanding: dict[str, tuple[Job, float]] = {}


def run_jobs(jobs: list[Job], n: int, timeout: float, notebook_dir: Path, env: dict[str, str],
             log_dir: Path) -> Iterator[tuple[Job, int, float]]:
    """Run ``jobs`` on ``n`` long-lived workers; yield ``(job, rc, seconds)`` as each finishes.

    ``rc`` is 0 (built) or 1 (failed: ``failure.json`` in its staging dir); seconds run from
    the hand-over to the worker to the end of the export.  A job runs past ``timeout``: its
    worker is killed (and restarted for the next job), the job fails as timed out, a job it
    was still exporting is run again.  The workers are closed when every job is done, and
    killed, with their kernels, when the caller stops early (an exception, Ctrl-C).  After a
    notebook leaked state no job starts; those already running or being exported finish
    (they began in clean kernels) and are yielded, then :class:`StateLeak` is raised.

    Raises
    ------
    OutputError
        A worker could not write its outputs (exit 4).
    StateLeak
        A notebook leaked state into its kernel (exit 6): the batch stops.
    """
    results: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    slots = [_Slot(WarmWorker(notebook_dir, env, log_dir / f"worker-{i}.log"))
             for i in range(max(1, min(n, len(jobs))))]
    thread = threading.Thread(target=_dispatch, args=(jobs, slots, timeout, results, stop),
                              name="warm-dispatch", daemon=True)
    thread.start()
    try:
        remaining = len(jobs)
        while remaining:
            try:
                item = results.get(timeout=0.5)
            except queue.Empty:
                if not thread.is_alive() and results.empty():
                    raise RuntimeError("the dispatcher of the warm workers ended early") from None
                continue
            if isinstance(item, BaseException):
                raise item
            remaining -= 1
            yield item
    finally:
        stop.set()
        thread.join()


def _dispatch(jobs: list[Job], slots: list[_Slot], timeout: float, results: queue.Queue[Any],
              stop: threading.Event) -> None:
    """The dispatcher thread: hand jobs to free workers, read their replies, enforce time limits."""
    todo = deque(jobs)
    retried: set[str] = set()
    finished = False
    leak: StateLeak | None = None  # once a notebook leaked: nothing new starts, the rest finish

    def requeue_or_fail(slot: _Slot, job: Job, started: float, rc: int) -> None:
        if job.name not in retried:  # it was only being exported: run it again
            retried.add(job.name)
            todo.appendleft(job)
        else:
            if not Failure.exists(job.staging_dir):
                Failure.worker_ended(rc, slot.worker.log_tail()).write(job.staging_dir)
            results.put((job, 1, time.monotonic() - started))

    def lost(slot: _Slot, rc: int, why: Failure | None = None) -> None:
        """The slot's worker ended or was killed: settle every job it had."""
        for name, (job, started) in list(slot.outstanding.items()):
            if name == slot.executing:
                if why is not None:
                    why.write(job.staging_dir)
                elif not Failure.exists(job.staging_dir):
                    Failure.worker_ended(rc, slot.worker.log_tail()).write(job.staging_dir)
                results.put((job, 1, time.monotonic() - started))
            else:
                requeue_or_fail(slot, job, started, rc)
        slot.outstanding.clear()
        slot.executing = None

    try:
        while not stop.is_set():
            for slot in slots:
                if slot.executing is None and todo and leak is None:
                    job = todo.popleft()
                    slot.worker.send(job)
                    slot.executing = job.name
                    slot.outstanding[job.name] = (job, time.monotonic())
            busy = [s for s in slots if s.outstanding]
            if not busy and (not todo or leak is not None):
                finished = True
                if leak is not None:
                    results.put(leak)
                return
            now = time.monotonic()
            deadlines = [s.outstanding[s.executing][1] + timeout for s in busy if s.executing]
            wait = max(0.0, min([0.2, *(d - now for d in deadlines)]))
            by_fd = {s.worker.fileno(): s for s in busy if s.worker.running}
            ended = [s for s in busy if not s.worker.running]
            readable = select.select(list(by_fd), [], [], wait)[0] if by_fd else []
            if not by_fd:
                time.sleep(wait)
            for fd in readable:
                slot = by_fd[fd]
                try:
                    lines = slot.worker.read_lines()
                except WorkerEnded:
                    ended.append(slot)
                    continue
                for line in lines:
                    parts = line.split()
                    if parts == ["ready"]:
                        slot.executing = None
                    elif parts[:1] == ["done"] and len(parts) >= 3 and parts[1] in slot.outstanding:
                        job, started = slot.outstanding.pop(parts[1])
                        if slot.executing == job.name:
                            slot.executing = None
                        try:
                            results.put((job, _result(slot.worker, job, int(parts[2])), time.monotonic() - started))
                        except StateLeak as exc:  # reports already run (in clean kernels) still publish
                            leak = leak or exc
            for slot in ended:
                lost(slot, slot.worker.reap())
            now = time.monotonic()
            for slot in slots:
                if slot.executing and now > slot.outstanding[slot.executing][1] + timeout:
                    slot.worker.kill()
                    lost(slot, -signal.SIGTERM, Failure.timed_out(timeout))
    except BaseException as exc:  # OutputError, StateLeak, or a bug: the caller raises it
        results.put(exc)
    finally:
        for slot in slots:
            if finished:
                slot.worker.close()
            else:
                slot.worker.kill()


if __name__ == "__main__":  # pragma: no cover - exercised through the batch tests
    sys.exit(main())
