"""``batch --scheduler ADDRESS``: run the council reports on a Dask distributed cluster.

Each task runs on a worker as a local ``batch`` runs a council: on the worker's long-lived
kernel (:func:`pool_worker`, one per worker thread: the library imported and the data
loaded once, each council in a fresh namespace, checked for leaked state), in a temporary
staging directory, and returns every file it produced as bytes.  The client writes them
into its own staging directory and publishes them with the build's atomic machinery, so
workers need no shared disk -- only the same environment and a checkout of the same
commit.  That is checked twice: once for every worker before anything is submitted
(:func:`check_workers`), and again inside each task (a worker may join later).  A worker
whose checkout differs is refused with an error naming the worker and both commits.

Starting a cluster by hand (same virtualenv and commit on every machine)::

    dask scheduler                              # on the head node, listens on :8786
    dask worker tcp://HEAD:8786 --nthreads 1    # on each machine, from the checkout
    python -m sharedservices batch NOTEBOOK --councils all --scheduler tcp://HEAD:8786
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sharedservices.errors import InputError, show
from sharedservices.inputs import paths
from sharedservices.pipeline.jobs import Job


def checkout_identity(root: Path | None = None) -> dict[str, Any]:
    """What a worker must share with the client: commit, dirty flag, version, code hash.

    ``code`` hashes the installed ``sharedservices`` package and the processed data and
    assumptions it reads, so two dirty checkouts of one commit match only if those agree.

    Examples
    --------
    >>> sorted(checkout_identity())
    ['code', 'commit', 'dirty', 'version']
    """
    import sharedservices
    from sharedservices.pipeline.fingerprint import walk
    from sharedservices.pipeline.provenance import git_state

    root = Path(root or paths.ROOT)
    git = git_state(root)
    h = hashlib.sha256()
    groups = {"lib": Path(sharedservices.__file__).resolve().parent,
              "processed": paths.processed_dir(), "assumptions": paths.assumptions_dir()}
    for label, directory in groups.items():
        for rel, f in walk(directory):
            h.update(f"{label}/{rel}\0".encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return {"commit": git["commit"], "dirty": git["dirty"],
            "version": sharedservices.__version__, "code": h.hexdigest()}


def _describe(ident: dict[str, Any]) -> str:
    dirty = " with uncommitted changes" if ident.get("dirty") else ""
    return f"commit {str(ident.get('commit'))[:12]}{dirty} (version {ident.get('version')})"


def mismatch(worker: str, worker_ident: dict[str, Any], client_ident: dict[str, Any]) -> str | None:
    """The refusal message if a worker's checkout differs from the client's, else None.

    Examples
    --------
    >>> a = {"commit": "a" * 40, "dirty": False, "version": "1.0", "code": "x"}
    >>> mismatch("tcp://w:1", a, a) is None
    True
    >>> mismatch("tcp://w:1", {**a, "commit": "b" * 40}, a)  # doctest: +ELLIPSIS
    "worker tcp://w:1: checkout is on commit bbbbbbbbbbbb (version 1.0) but the client is on commit aaaaaaaaaaaa (version 1.0) (allowed: ...)"
    """
    if all(worker_ident.get(k) == client_ident.get(k) for k in ("commit", "version", "code")):
        return None
    same_commit = worker_ident.get("commit") == client_ident.get("commit")
    why = " with different uncommitted changes in lib/ or data/" if same_commit else ""
    return (f"worker {worker}: checkout is on {_describe(worker_ident)}{why} but the client is "
            f"on {_describe(client_ident)} (allowed: workers running a checkout of the "
            "client's commit in the same environment)")


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except Exception:  # pragma: no cover - outside a worker
        return "local"


def run_remote(job: Job, notebook_bytes: bytes, timeout: float,
               client_ident: dict[str, Any]) -> dict[str, Any]:
    """Task body on a worker: check the checkout, run the job on this worker's long-lived
    kernel (:func:`pool_worker`), return its files as bytes.

    Returns
    -------
    dict
        ``rc`` (0 built, 1 failed), ``seconds``, ``worker``, ``kernel`` (the kernel's pid
        and how many reports it has run), ``files`` (path relative to the staging directory
        -> bytes), or ``refused`` (the mismatch message), or ``leak`` (the notebook leaked
        state into the kernel: the client stops the batch with it).
    """
    from sharedservices.errors import StateLeak

    worker = _worker_address()
    refused = mismatch(worker, checkout_identity(), client_ident)
    if refused:
        return {"rc": 1, "seconds": 0.0, "worker": worker, "refused": refused, "files": {}}
    with tempfile.TemporaryDirectory(prefix="sharedservices-") as tmp:
        staging = Path(tmp) / "staging"
        staging.mkdir()
        # the worker's own copy of the notebook if it is byte-identical, else the client's
        local = paths.ROOT / job.notebook_rel
        if not (local.is_file() and local.read_bytes() == notebook_bytes):
            local = Path(tmp) / "notebooks" / Path(job.notebook).name
            local.parent.mkdir()
            local.write_bytes(notebook_bytes)
        warm = pool_worker()
        leak = None
        try:
            rc, seconds = warm.run(job.with_(staging=str(staging), notebook=str(local)), timeout)
        except StateLeak as exc:
            rc, seconds, leak = 1, 0.0, str(exc)
        files = {p.relative_to(staging).as_posix(): p.read_bytes()
                 for p in sorted(staging.rglob("*"))
                 if p.is_file() and p.relative_to(staging).parts[0] not in ("ipython",)}
    result = {"rc": rc, "seconds": seconds, "worker": worker, "kernel": list(warm.last_kernel),
              "files": files}
    if leak:
        result["leak"] = leak
    return result


#: This process's long-lived workers (one per Dask worker thread) and their folder.
_POOL: dict[int, Any] = {}
_POOL_HOME: list[Path] = []
_POOL_LOCK = threading.Lock()


def pool_worker() -> Any:
    """This Dask worker thread's long-lived worker (:class:`~sharedservices.pipeline.warm.WarmWorker`),
    started on first use: its kernel imports the library and loads the data once, then runs
    every council the thread is given (as a local ``batch`` does).  :func:`close_pool`
    ends them; the client calls it on every worker when the batch ends."""
    from sharedservices.pipeline.jobs import worker_env, write_kernel_profile
    from sharedservices.pipeline.warm import WarmWorker

    with _POOL_LOCK:
        if not _POOL_HOME:
            home = Path(tempfile.mkdtemp(prefix="sharedservices-dask-"))
            (home / "kernel").mkdir()
            _POOL_HOME.append(home)
            atexit.register(close_pool)
        home = _POOL_HOME[0]
        worker = _POOL.get(threading.get_ident())
        if worker is None:
            env = worker_env(write_kernel_profile(home / "ipython"))
            worker = WarmWorker(home / "kernel", env, home / f"worker-{len(_POOL)}.log")
            _POOL[threading.get_ident()] = worker
        return worker


def close_pool() -> int:
    """End this process's long-lived workers and their kernels; return how many there were."""
    with _POOL_LOCK:
        workers = list(_POOL.values())
        _POOL.clear()
        homes = list(_POOL_HOME)
        _POOL_HOME.clear()
    for w in workers:
        w.close()
    for home in homes:
        shutil.rmtree(home, ignore_errors=True)
    return len(workers)


_ADDRESS = re.compile(
    r"^(?:(?P<scheme>tcp|tls|ws|wss|ucx)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)"
    r":(?P<port>\d{1,5})/?$|^inproc://\S+$")
_ADDRESS_ALLOWED = ("allowed: the address of a running `dask scheduler`, "
                    "[tcp|tls|ws|wss|ucx://]HOST:PORT, e.g. tcp://host:8786")


def check_address(address: str) -> str:
    """Refuse a ``--scheduler`` value that is not a scheduler address, before connecting.

    (distributed would raise ``ValueError`` from deep inside its client and then hang for
    20 s on exit closing the half-made client.)

    Examples
    --------
    >>> check_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_address("not a url")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: --scheduler: 'not a url' is not a scheduler address (allowed: the address of a running `dask scheduler`, [tcp|tls|ws|wss|ucx://]HOST:PORT, e.g. tcp://host:8786)
    """
    m = _ADDRESS.match(address) if isinstance(address, str) else None
    if m is None or (m.group("port") is not None and not 0 < int(m.group("port")) < 65536):
        raise InputError(f"--scheduler: {show(address)} is not a scheduler address "
                         f"({_ADDRESS_ALLOWED})")
    return address


def connect(address: str) -> Any:
    """A ``distributed.Client`` for ``address`` (a scheduler address or a Cluster object)."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask.distributed is a pinned dependency
        raise InputError("--scheduler: dask.distributed is not installed "
                         "(allowed: install requirements.txt)") from None
    if isinstance(address, str):
        check_address(address)
    try:
        return Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise InputError(f"--scheduler: cannot connect to {show(address)} "
                         f"({' '.join(str(exc).split())[:200]}) ({_ADDRESS_ALLOWED})") from None


def check_workers(client: Any, client_ident: dict[str, Any]) -> int:
    """Refuse the batch (InputError) if any connected worker's checkout differs.

    Returns the number of workers checked.
    """
    idents = client.run(checkout_identity)
    if not idents:
        raise InputError(f"--scheduler: no workers are connected to {client.scheduler.address} "
                         "(allowed: start `dask worker ADDRESS` on each machine)")
    for worker, ident in sorted(idents.items()):
        msg = mismatch(worker, ident, client_ident)
        if msg:
            raise InputError(msg)
    return len(idents)


def run_on_cluster(client: Any, jobs: list[Job], timeout: float,
                   client_ident: dict[str, Any]) -> Iterator[tuple[Job, dict[str, Any]]]:
    """Submit every job; yield ``(job, result)`` as tasks complete.

    A task that raised (lost worker, serialisation) yields a failed result with the error.
    """
    from distributed import as_completed

    nb_bytes = {j.notebook: Path(j.notebook).read_bytes() for j in jobs}
    futures = {}
    for j in jobs:
        fut = client.submit(run_remote, j, nb_bytes[j.notebook], timeout, client_ident,
                            pure=False, key=f"sharedservices-{j.name}-{time.time_ns()}")
        futures[fut] = j
    try:
        with client.as_current():
            done = as_completed(list(futures))
        for fut in done:
            job = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:
                result = {"rc": 1, "seconds": 0.0, "worker": "unknown", "files": {},
                          "error": f"the task failed on the cluster ({type(exc).__name__}: {exc})"}
            yield job, result
    finally:
        for fut in futures:
            fut.cancel()
