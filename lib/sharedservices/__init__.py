"""sharedservices: front-loaded cuts against multi-year shared-service payback.

The package is the analysis; notebooks under ``notebooks/`` narrate it.  Data flows one
way: raw workbooks -> ``data/processed`` (importers) -> model (pure functions) ->
presentation (figures, tables) -> notebooks -> HTML reports (``build``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sharedservices")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
