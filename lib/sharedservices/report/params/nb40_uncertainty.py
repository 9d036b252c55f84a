"""Parameters of ``notebooks/40-uncertainty.ipynb``: the scenario fields plus the Monte Carlo's."""

from __future__ import annotations

from sharedservices.model import spec
from sharedservices.report.params import register
from sharedservices.report.params.scenario_fields import ScenarioParams, field_for

__all__ = ["UncertaintyParams"]

_draws, _seed = (field_for(spec.spec(n)) for n in ("draws", "seed"))


@register("40-uncertainty")
class UncertaintyParams(ScenarioParams):  # type: ignore[valid-type,misc]
    """How sure is the payback? Monte Carlo and one-way sensitivities around one scenario."""

    draws: int = _draws[1]
    seed: int = _seed[1]
