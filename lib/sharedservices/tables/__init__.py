"""Tables: a DataFrame in, a display-ready DataFrame out; no I/O (show them with sharedservices.display.show_table).

One module per topic (``overview`` for the data overview, and one per report topic);
every public name of every submodule is re-exported here, so notebooks call
``sharedservices.tables.NAME``.  A new topic is a new module in this package listing its
public names in ``__all__``; nothing else needs editing.  Two modules exporting the same
name is an error at import time, so a name always means one thing.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__: list[str] = []
_origin: dict[str, str] = {}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", ()):
        if _name in _origin:
            raise ImportError(
                f"sharedservices.tables: {_name!r} is exported by both "
                f"{_origin[_name]} and {_info.name}; rename one"
            )
        _origin[_name] = _info.name
        globals()[_name] = getattr(_module, _name)
        __all__.append(_name)

del _info, _module, _name
