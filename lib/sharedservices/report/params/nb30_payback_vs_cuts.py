"""Parameters of ``notebooks/30-payback-vs-cuts.ipynb``: the shared scenario fields only."""

from __future__ import annotations

from sharedservices.report.params import register
from sharedservices.report.params.scenario_fields import ScenarioParams

__all__ = ["PaybackVsCutsParams"]


@register("30-payback-vs-cuts")
class PaybackVsCutsParams(ScenarioParams):  # type: ignore[valid-type,misc]
    """Can shared services close one council's funding gap in time? (one deterministic run)"""
