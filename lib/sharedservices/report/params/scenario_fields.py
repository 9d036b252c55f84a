"""The scenario parameters shared by the per-council reports (30, 40) and the explorer.

Nothing is written here twice: every field of :class:`ScenarioParams` is made from its
:class:`~sharedservices.model.spec.ParamSpec` in :data:`sharedservices.model.spec.SCENARIO`
(type, default, range or choices, unit, help), the records the model's
:class:`~sharedservices.model.spec.Scenario` checks its values against.  So the published
reports, the batch runs, the explorer's widgets and the model cannot drift apart, and a bad
value is refused in one wording wherever it is given.

This module registers no notebook itself; ``nb30_*`` and ``nb40_*`` subclass
:class:`ScenarioParams`.  A validated instance turns into the model's scenario with
:meth:`ScenarioParams.scenario` (:func:`to_scenario` for a plain mapping).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, create_model

from sharedservices.errors import InputError
from sharedservices.model import spec
from sharedservices.model.spec import Scenario
from sharedservices.report.params import Council, NotebookParams

__all__ = ["CutPath", "Financing", "Programme", "ScenarioParams", "field_for", "to_scenario"]

Programme = Literal[spec.PROGRAMMES]  # type: ignore[valid-type]
Financing = Literal[spec.FINANCING_OPTIONS]  # type: ignore[valid-type]
CutPath = Literal[spec.CUT_PATHS]  # type: ignore[valid-type]

#: Fields that shape only the parametric cut path: dropped for the other paths.
PARAMETRIC_ONLY = ("front_loading", "total_cut_multiplier")


def field_for(p: spec.ParamSpec) -> tuple[Any, Any]:
    """The pydantic ``(type, Field)`` of one parameter, from its spec."""
    if p.council:
        kind: Any = Council
    elif p.choices is not None:
        kind = Literal[p.choices]  # type: ignore[valid-type]
    else:
        kind = {"int": int, "float": float, "str": str, "bool": bool}[p.type]
    if p.nullable:
        kind = kind | None
    extra = {"unit": p.unit} if p.unit else None
    return kind, Field(p.default, ge=p.minimum, le=p.maximum, description=p.help, json_schema_extra=extra)


class _ScenarioBase(NotebookParams):
    def scenario(self) -> Scenario:
        """The model's :class:`~sharedservices.model.spec.Scenario` for these parameters."""
        return to_scenario(self.model_dump())


ScenarioParams = create_model(  # type: ignore[call-overload]
    "ScenarioParams",
    __base__=_ScenarioBase,
    __doc__="One council, one shared-service programme, one cut path (not registered itself).",
    __module__=__name__,
    **{p.name: field_for(p) for p in spec.SCENARIO},
)


def to_scenario(params: Mapping[str, Any]) -> Scenario:
    """The model's scenario for a mapping of :class:`ScenarioParams` fields (validated or not).

    Missing fields take their defaults; the Monte Carlo's ``draws`` and ``seed`` are ignored;
    ``front_loading`` and ``total_cut_multiplier`` shape only the parametric path and are
    dropped for ``sr2010`` and ``actual``.

    Raises
    ------
    InputError
        An unknown name, or a value the scenario does not allow (one line).

    Examples
    --------
    >>> to_scenario({"council": "E2532", "cut_path": "actual", "front_loading": 0.9}).front_loading is None
    True
    >>> to_scenario({"horizon": 2})
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: parameter 'horizon': 2 is out of range (allowed: integer 4..60)
    """
    if not isinstance(params, Mapping):
        raise InputError(f"scenario parameters: {params!r} is not a mapping (allowed: name: value pairs)")
    names = [p.name for p in spec.SCENARIO]
    extra = {p.name for p in spec.MONTE_CARLO}
    unknown = [k for k in params if k not in names and k not in extra]
    if unknown:
        raise InputError(f"parameter {unknown[0]!r}: unknown scenario parameter (allowed: {', '.join(names)})")
    given = {k: v for k, v in params.items() if k in names}
    if given.get("cut_path", spec.spec("cut_path").default) != "parametric":
        for k in PARAMETRIC_ONLY:
            given.pop(k, None)
    return Scenario(**given)
