"""Re-export every public name of a package's topic modules (figures, tables)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Any


def reexport(package: str, path: Iterable[str], namespace: dict[str, Any]) -> list[str]:
    """Import each non-private module of ``package`` and copy its ``__all__`` into ``namespace``.

    Returns the names exported, in module order.  Two modules exporting the same name is an
    ``ImportError``, so a name always means one thing.
    """
    origin: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for name in getattr(module, "__all__", ()):
            if name in origin:
                raise ImportError(
                    f"{package}: {name!r} is exported by both {origin[name]} and {info.name}; rename one"
                )
            origin[name] = info.name
            namespace[name] = getattr(module, name)
    return list(origin)
