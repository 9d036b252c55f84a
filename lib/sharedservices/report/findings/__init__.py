"""Headline numbers of each report, computed by the library, never typed by hand.

Each report notebook has one function here, registered by notebook stem, that takes the
report's validated parameters and returns its headline values: a flat mapping of name to
number (or ``None`` where a value does not exist, such as "no payback year").  The
notebook formats its key findings from the same function, and the regression snapshots
(``tests/snapshots/headlines.yaml``, ``make update-snapshots``) store what it returns for
every published report in ``reports.yaml``, so a change to a published number is a visible,
reviewed change.  Snapshot values are *model outputs*, not external estimates.

Adding one: create ``lib/sharedservices/report/findings/nb<NN>_<topic>.py``::

    from sharedservices.report.findings import register

    @register("30-payback-vs-cuts")
    def headlines(council: str, programme: str, ...) -> dict[str, float | int | None]:
        result = scenario.run_scenario(...)
        return {"payback_year": ..., "npv_gbp_m": ...}

Every module in this package is imported on first use; nothing else needs editing.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Mapping
from typing import Any

from sharedservices.errors import InputError

__all__ = ["Headlines", "headlines", "price_base", "register", "registered"]

Headlines = dict[str, float | int | str | None]
_REGISTRY: dict[str, Callable[..., Headlines]] = {}
_LOADED = False
#: Whether every findings module has been imported (a cache: see sharedservices.pipeline.leaks).
__cache_names__ = ("_LOADED",)


def price_base() -> str:
    """The price-base note every report carries: which deflator, from which release.

    Examples
    --------
    >>> "HM Treasury" in price_base() and "2010-11 prices" in price_base()
    True
    """
    from sharedservices.inputs import assumptions

    a = assumptions.get("prices.gdp_deflator")
    return (f"Price base: real figures are in 2010-11 prices, cash deflated with the GDP deflator from "
            f"{a.source_title} ({a.quality}: {a.quality_note.rstrip('.')}).")


def register(stem: str) -> Callable[[Callable[..., Headlines]], Callable[..., Headlines]]:
    """Register ``func`` as the headline function of the notebook ``stem``."""

    def deco(func: Callable[..., Headlines]) -> Callable[..., Headlines]:
        if stem in _REGISTRY and _REGISTRY[stem] is not func:
            raise RuntimeError(f"findings: two headline functions registered for {stem!r}")
        _REGISTRY[stem] = func
        return func

    return deco


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def registered() -> dict[str, Callable[..., Headlines]]:
    """All headline functions, by notebook stem."""
    _load_all()
    return dict(_REGISTRY)


def _check(stem: str, values: Mapping[str, Any]) -> Headlines:
    out: Headlines = {}
    for name, v in values.items():
        if isinstance(v, bool) or v is None or isinstance(v, str):
            out[name] = v
        elif isinstance(v, int | float):
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError(f"findings {stem}: headline {name!r} is {v} (must be finite)")
            out[name] = int(v) if isinstance(v, int) else float(v)
        else:
            raise TypeError(
                f"findings {stem}: headline {name!r} has type {type(v).__name__} "
                "(allowed: int, float, str, bool, None)"
            )
    return out


def headlines(stem: str, params: Mapping[str, Any]) -> Headlines:
    """Headline values of notebook ``stem`` for the validated ``params``.

    Raises
    ------
    InputError
        If no headline function is registered for ``stem``.
    """
    funcs = registered()
    if stem not in funcs:
        raise InputError(
            f"findings: no headline function for notebook {stem!r} "
            f"(registered: {', '.join(sorted(funcs)) or 'none'})"
        )
    return _check(stem, funcs[stem](**dict(params)))
