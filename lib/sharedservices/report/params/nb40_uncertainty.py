"""Parameters of ``notebooks/40-uncertainty.ipynb``: the scenario fields plus the Monte Carlo's."""

from __future__ import annotations

from pydantic import Field

from sharedservices.report.params import register
from sharedservices.report.params.scenario_fields import ScenarioParams

__all__ = ["UncertaintyParams"]


@register("40-uncertainty")
class UncertaintyParams(ScenarioParams):
    """How sure is the payback? Monte Carlo and one-way sensitivities around one scenario."""

    draws: int = Field(10_000, ge=100, le=200_000, description="Monte Carlo draws")
    seed: int = Field(20110228, ge=0, le=2**32 - 1,
                      description="random seed (same seed and draws, same results)")
