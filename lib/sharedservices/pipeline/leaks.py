"""Leak detection for reused kernels: fingerprints of the module-level values of ``sharedservices``.

A long-lived kernel (:mod:`.reuse`) runs report after report.  Between two reports it resets
the user namespace and what a fresh kernel would start with (random seeds, matplotlib
settings, warning filters, environment, working folder); what a reset cannot undo is a
change to the library's own modules, for example a notebook that appends to a module-level
list or rebinds a module's function.  So before and after each report the kernel takes a
:func:`fingerprint` of every loaded ``sharedservices.*`` module: one digest per module-level
name, computed from the value (numbers, text, containers element by element, arrays and
data frames by their bytes, the library's own objects by their attributes, functions and
classes by identity, anything else by identity and type).  :func:`changes` lists the names
whose digest differs; the batch stops on the first report that changed one
(:class:`~sharedservices.errors.StateLeak`, exit code 6).

Two declarations, as module-level tuples of global names, say what may differ:

``__cache_names__``
    caches: values computed from the inputs and kept because computing them again would
    give the same (the processed tables, the loaded assumptions, memoised defaults).  They
    are not fingerprinted.
``__run_state__``
    containers a run fills and a fresh kernel has empty (the active assumption
    recordings).  The reset empties them (``.clear()``) after every report; they are then
    fingerprinted like any other value, so they must be empty again.

Examples
--------
>>> import sys, types
>>> m = types.ModuleType("sharedservices._leak_demo")
>>> m.LIMITS = {"a": 1}
>>> m._memo = {}
>>> m.__cache_names__ = ("_memo",)
>>> sys.modules[m.__name__] = m
>>> before = fingerprint()
>>> m._memo["x"] = 2           # a declared cache: not a leak
>>> changes(before, fingerprint())
[]
>>> m.LIMITS["a"] = 99          # a module-level value changed: a leak
>>> changes(before, fingerprint())
['sharedservices._leak_demo.LIMITS']
>>> del sys.modules[m.__name__]
"""

from __future__ import annotations

import enum
import hashlib
import re
import sys
import types
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

__all__ = ["CACHE_NAMES", "PACKAGE", "RUN_STATE", "changes", "describe", "digest", "fingerprint", "library_modules"]

#: The package whose modules are fingerprinted.
PACKAGE = "sharedservices"
#: Module attribute naming its caches (not fingerprinted).
CACHE_NAMES = "__cache_names__"
#: Module attribute naming its per-run containers (emptied after each run, then fingerprinted).
RUN_STATE = "__run_state__"
#: Module-level names that are never fingerprinted: set by Python itself when a module is
#: imported or a warning is shown (``__warningregistry__``), or by the declarations above.
_IGNORED = frozenset({"__builtins__", "__cached__", "__doc__", "__file__", "__loader__", "__name__",
                      "__package__", "__path__", "__spec__", "__warningregistry__", "__annotations__",
                      CACHE_NAMES, RUN_STATE})
#: How deep containers are followed (deeper values count by identity).
MAX_DEPTH = 12
_SCALARS = (type(None), bool, int, float, complex, str)


def library_modules(package: str = PACKAGE) -> list[tuple[str, types.ModuleType]]:
    """Every loaded module of ``package`` (itself and ``package.*``), sorted by name."""
    prefix = package + "."
    return sorted((name, m) for name, m in list(sys.modules.items())
                  if isinstance(m, types.ModuleType) and (name == package or name.startswith(prefix)))


def _declared(module: types.ModuleType, attr: str) -> frozenset[str]:
    names = vars(module).get(attr, ())
    if isinstance(names, str):
        names = (names,)
    return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, Iterable) else frozenset()


def _qualname(v: Any) -> str:
    return f"{getattr(v, '__module__', '?')}.{getattr(v, '__qualname__', type(v).__qualname__)}"


def _own(v: Any) -> bool:
    mod = getattr(type(v), "__module__", "") or ""
    return mod == PACKAGE or mod.startswith(PACKAGE + ".")


def _feed(h: Any, v: Any, depth: int, path: set[int]) -> None:  # noqa: C901 - one case per kind of value
    t = type(v)
    if t in _SCALARS:
        h.update(f"{t.__name__}:{v!r};".encode("utf-8", "surrogatepass"))
        return
    if t is bytes or t is bytearray:
        h.update(b"bytes:%d:" % len(v))
        h.update(v)
        return
    if isinstance(v, types.ModuleType):
        h.update(f"module:{v.__name__};".encode())
        return
    if isinstance(v, enum.Enum):
        h.update(f"enum:{_qualname(t)}.{v.name};".encode())
        return
    if isinstance(v, PurePath):
        h.update(f"path:{v};".encode())
        return
    if isinstance(v, re.Pattern):
        h.update(f"re:{v.pattern!r}:{v.flags};".encode())
        return
    if isinstance(v, type | types.FunctionType | types.BuiltinFunctionType | types.MethodType):
        # code: by identity (a rebound or monkeypatched function is a change)
        h.update(f"code:{_qualname(v)}@{id(v)};".encode())
        return
    if depth >= MAX_DEPTH or id(v) in path:
        h.update(f"ref:{_qualname(t)}@{id(v)};".encode())
        return
    path.add(id(v))
    try:
        if isinstance(v, tuple | list):
            h.update(f"{t.__name__}[{len(v)}:".encode())
            for x in v:
                _feed(h, x, depth + 1, path)
            h.update(b"]")
        elif isinstance(v, Mapping):
            h.update(f"{_qualname(t)}{{{len(v)}:".encode())
            for k, x in list(v.items()):
                _feed(h, k, depth + 1, path)
                _feed(h, x, depth + 1, path)
            h.update(b"}")
        elif isinstance(v, set | frozenset):
            parts = sorted(digest(x, depth + 1, path) for x in list(v))
            h.update(f"{t.__name__}{{{len(parts)}:{','.join(parts)}}}".encode())
        elif _is_array(v):
            h.update(f"ndarray:{v.dtype}:{v.shape};".encode())
            if v.dtype.hasobject:
                for x in v.ravel().tolist():
                    _feed(h, x, depth + 1, path)
            else:
                h.update(memoryview(v.ravel(order="K")).cast("B") if v.flags.c_contiguous else v.tobytes())
        elif _is_pandas(v):
            _feed_pandas(h, v, depth, path)
        elif _own(v) and (hasattr(v, "__dict__") or hasattr(type(v), "__slots__")):
            # the library's own objects (dataclasses, pydantic models, plain classes): by value
            h.update(f"obj:{_qualname(t)}(".encode())
            for k, x in _attributes(v):
                h.update(f"{k}=".encode())
                _feed(h, x, depth + 1, path)
            h.update(b")")
        elif callable(v):  # partials, caches of functions, bound methods of foreign objects
            h.update(f"callable:{_qualname(t)}@{id(v)};".encode())
        else:  # a foreign object: by identity and type (rebinding the name is seen)
            h.update(f"ref:{_qualname(t)}@{id(v)};".encode())
    finally:
        path.discard(id(v))


def _attributes(v: Any) -> list[tuple[str, Any]]:
    out = list(vars(v).items()) if hasattr(v, "__dict__") else []
    for cls in type(v).__mro__:
        for name in getattr(cls, "__slots__", ()) or ():
            if isinstance(name, str) and name not in ("__dict__", "__weakref__") and hasattr(v, name):
                out.append((name, getattr(v, name)))
    return out


def _is_array(v: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(v, np.ndarray)


def _is_pandas(v: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(v, pd.DataFrame | pd.Series | pd.Index)


def _feed_pandas(h: Any, v: Any, depth: int, path: set[int]) -> None:
    pd = sys.modules["pandas"]
    h.update(f"pandas:{type(v).__name__}:{v.shape};".encode())
    if isinstance(v, pd.DataFrame):
        _feed(h, [str(c) for c in v.columns], depth + 1, path)
        _feed(h, [str(d) for d in v.dtypes], depth + 1, path)
        _feed(h, v.index, depth + 1, path)
        frame = v
    elif isinstance(v, pd.Series):
        _feed(h, [str(v.name), str(v.dtype)], depth + 1, path)
        _feed(h, v.index, depth + 1, path)
        frame = v
    else:
        h.update(f"{v.dtype}:{v.name};".encode())
        frame = v.to_series(index=range(len(v)))
    try:
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    except TypeError:  # unhashable cells (lists, dicts): element by element
        _feed(h, frame.to_numpy().tolist(), depth + 1, path)


def digest(value: Any, depth: int = 0, path: set[int] | None = None) -> str:
    """A short hex digest of ``value`` (equal values give equal digests in one process).

    Examples
    --------
    >>> digest({"a": [1, 2]}) == digest({"a": [1, 2]}), digest([1, 2]) == digest([2, 1])
    (True, False)
    >>> digest({1, 2, 3}) == digest({3, 2, 1})
    True
    """
    h = hashlib.blake2b(digest_size=12)
    _feed(h, value, depth, set() if path is None else path)
    return h.hexdigest()


def fingerprint(package: str = PACKAGE) -> dict[str, dict[str, str]]:
    """Digest of every module-level value of every loaded module of ``package``.

    Returns
    -------
    dict
        module name -> {global name -> digest}.  Names declared in the module's
        ``__cache_names__`` and Python's own module attributes are left out.
    """
    out: dict[str, dict[str, str]] = {}
    if len(_MEMO) > _MEMO_LIMIT:
        _MEMO.clear()
    for modname, module in library_modules(package):
        skip = _IGNORED | _declared(module, CACHE_NAMES)
        out[modname] = {name: _memo_digest(value) for name, value in list(vars(module).items())
                        if name not in skip}
    return out


#: Digests of immutable values by identity (the value is kept, so its id is not reused):
#: most module-level values are functions, classes, text and tuples, whose digest cannot
#: change while the object lives.
_MEMO: dict[int, tuple[Any, str]] = {}
_MEMO_LIMIT = 50_000
__cache_names__ = ("_MEMO",)
_CODE = (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType)


def _immutable(v: Any, depth: int = 0) -> bool:
    """Whether ``v``'s digest cannot change while the object lives: immutable values, and
    the objects :func:`digest` counts by identity (code, foreign objects that are not
    containers, arrays or data frames)."""
    t = type(v)
    if t in _SCALARS or t is bytes or isinstance(v, (*_CODE, re.Pattern, PurePath, enum.Enum)):
        return True
    if t is tuple or t is frozenset:
        return depth < 4 and all(_immutable(x, depth + 1) for x in v)
    if isinstance(v, Mapping | list | set | bytearray) or _is_array(v) or _is_pandas(v) or _own(v):
        return False
    return True  # a foreign object or callable: by identity


def _memo_digest(value: Any) -> str:
    hit = _MEMO.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    d = digest(value)
    if _immutable(value):
        _MEMO[id(value)] = (value, d)
    return d


def changes(before: Mapping[str, Mapping[str, str]], after: Mapping[str, Mapping[str, str]]) -> list[str]:
    """``module.name`` of every value that changed, appeared or disappeared, sorted.

    Only modules in both fingerprints are compared: a module imported in between was
    imported as a fresh kernel would import it.

    Examples
    --------
    >>> changes({"m": {"a": "1"}}, {"m": {"a": "2", "b": "3"}, "n": {"c": "4"}})
    ['m.a', 'm.b']
    """
    out = []
    for modname in sorted(before.keys() & after.keys()):
        b, a = before[modname], after[modname]
        out.extend(f"{modname}.{k}" for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k))
    return out


def describe(names: list[str], limit: int = 3) -> str:
    """The changed names in one line: the first few, then how many more.

    Examples
    --------
    >>> describe(["sharedservices.a.X"])
    'sharedservices.a.X'
    >>> describe(["m.a", "m.b", "m.c", "m.d", "m.e"])
    'm.a, m.b, m.c and 2 more'
    """
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"
