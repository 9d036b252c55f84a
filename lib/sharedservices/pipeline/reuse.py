"""Kernel side of a long-lived kernel: report after report, each in a fresh namespace.

A worker (:mod:`.warm`) starts one kernel, has it import the library and load the data
once (:func:`prepare`), then runs report after report on it with papermill's parameter
injection.  Around each report it calls, in the kernel:

* :func:`begin` -- the report's working folder and environment (figure formats);
* :func:`finish` -- the reset to the state a fresh kernel starts in, then the leak check.

The reset (:func:`reset`) closes every figure, clears the IPython user namespace
(``get_ipython().reset()``: variables, the output cache, the execution counter), runs the
kernels' start-up code again (random seeds), empties the library's declared per-run state
(``__run_state__``, see :mod:`.leaks`), and restores what :func:`prepare` recorded:
matplotlib's settings, the warning filters (and forgets which warnings were shown, so a
report shows the same warnings as in a fresh kernel), numpy's error handling, the
environment, ``sys.path`` and the working folder.  Modules stay imported and the library's
caches (``__cache_names__``) stay filled: that is the time saved.

Then :func:`finish` takes a fingerprint of every ``sharedservices.*`` module
(:func:`.leaks.fingerprint`) and compares it with the one taken after the previous report;
the names that changed are returned, and the worker stops the batch on them.

Every function returns plain text (JSON), the value the worker reads back through the
kernel protocol's ``user_expressions``.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pkgutil
import sys
import warnings
from typing import Any

from sharedservices.pipeline import leaks

__all__ = ["begin", "finish", "prepare", "reset", "runs"]

#: What :func:`prepare` recorded and the last fingerprint (one kernel's own bookkeeping).
_STATE: dict[str, Any] = {}
__cache_names__ = ("_STATE",)

#: Third-party modules every report imports, imported by :func:`prepare` first (matplotlib's
#: settings are recorded after pyplot is imported, as a notebook would import it).
PREPARED_MODULES = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn", "scipy")
#: Library packages imported by :func:`prepare` (every module in them), so that every module
#: a report can use is loaded, and fingerprinted, before the first report runs.
PREPARED_PACKAGES = ("sharedservices.inputs", "sharedservices.model", "sharedservices.report")
#: Tables loaded by :func:`prepare` (:mod:`sharedservices.inputs.data` functions).
PREPARED_TABLES = ("councils", "spending", "finance", "codes", "england")


def _import_library() -> list[str]:
    failed = []
    for name in PREPARED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    for package in PREPARED_PACKAGES:
        try:
            pkg = importlib.import_module(package)
        except Exception:  # noqa: BLE001 - the report meets the error itself and reports it
            failed.append(package)
            continue
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            if info.name.endswith(".__main__"):
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001
                failed.append(info.name)
    return failed


def _load_inputs() -> None:
    try:
        from sharedservices.inputs import assumptions, data

        for name in PREPARED_TABLES:
            fn = getattr(data, name, None)
            if fn is not None:
                try:
                    fn()
                except Exception:  # noqa: BLE001 - e.g. a mini project without that table
                    pass
        assumptions.load_all()
    except Exception:  # noqa: BLE001
        pass


def _warm_figures() -> None:
    """Apply the house style and draw one small figure in every format (fonts, text caches)."""
    try:
        import io

        import matplotlib.pyplot as plt

        from sharedservices.report import style

        style.use()
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [0, 1])
        ax.set_title("Warm-up £m 2010-11")
        for fmt in ("svg", "png"):
            fig.savefig(io.BytesIO(), format=fmt, bbox_inches="tight")
        plt.close(fig)
    except Exception:  # noqa: BLE001
        pass


def prepare(startup: str) -> str:
    """Once per kernel: import the library, load the data, warm the figures; record the
    state every report starts from, reset to it and take the first fingerprint.

    Parameters
    ----------
    startup : str
        The kernels' start-up code (:data:`sharedservices.pipeline.jobs.KERNEL_STARTUP`),
        run again after every reset.

    Returns
    -------
    str
        JSON: ``{"failed_imports": [...]}`` (modules that would not import: the reports that
        use them meet the error themselves).
    """
    failed = _import_library()
    _load_inputs()
    state: dict[str, Any] = {
        "startup": startup,
        "environ": dict(os.environ),
        "path": list(sys.path),
        "cwd": os.getcwd(),
        "warnings": list(warnings.filters),
        "runs": 0,
    }
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state["rc"] = dict(mpl.rcParams)
    np = sys.modules.get("numpy")
    if np is not None:
        state["seterr"] = np.geterr()
    _STATE.clear()
    _STATE.update(state)
    # after the snapshot: a report starts with matplotlib's settings as a fresh kernel has them
    # (the house style is applied by the figure functions themselves, in well under 1 ms),
    # but with the fonts and text measurements of the house style already cached
    _warm_figures()
    reset()
    gc.collect()
    gc.freeze()  # what is loaded now lives as long as the kernel: later collections skip it
    _STATE["fingerprint"] = leaks.fingerprint()
    return json.dumps({"failed_imports": failed})


def begin(cwd: str, env: dict[str, str] | None = None) -> str:
    """Before a report: its working folder (the notebook's) and environment variables."""
    os.chdir(cwd)
    os.environ.update(env or {})
    return json.dumps("ok")


def _restore_environ(saved: dict[str, str]) -> None:
    for k in [k for k in os.environ if k not in saved]:
        del os.environ[k]
    for k, v in saved.items():
        if os.environ.get(k) != v:
            os.environ[k] = v


def reset() -> None:
    """Return the kernel to the state a report starts in (see the module docstring)."""
    state = _STATE
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    shell = _shell()
    if shell is not None:
        shell.reset(new_session=True)
    for _, module in leaks.library_modules():
        for name in vars(module).get(leaks.RUN_STATE, ()):
            value = vars(module).get(name)
            if hasattr(value, "clear"):
                value.clear()
    if "rc" in state:
        mpl = sys.modules["matplotlib"]
        changed = {k: v for k, v in state["rc"].items() if mpl.rcParams.get(k) != v}
        if changed:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mpl.rcParams.update(changed)
    warnings.filters[:] = state["warnings"]
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()  # every module's __warningregistry__ is stale: warnings show again, as fresh
    if "seterr" in state:
        sys.modules["numpy"].seterr(**state["seterr"])
    _restore_environ(state["environ"])
    sys.path[:] = state["path"]
    os.chdir(state["cwd"])
    if shell is not None:
        exec(compile(state["startup"], "<kernel startup>", "exec"), shell.user_ns)  # noqa: S102
    gc.collect()


def finish() -> str:
    """After a report: :func:`reset`, then the leak check against the previous fingerprint.

    Returns
    -------
    str
        JSON list of the ``module.name`` values that changed (empty: no leak).
    """
    reset()
    after = leaks.fingerprint()
    changed = leaks.changes(_STATE.get("fingerprint", after), after)
    _STATE["fingerprint"] = after
    _STATE["runs"] = _STATE.get("runs", 0) + 1
    return json.dumps(changed)


def runs() -> int:
    """How many reports this kernel has finished."""
    return int(_STATE.get("runs", 0))


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - always there in a kernel
        return None
    return get_ipython()
