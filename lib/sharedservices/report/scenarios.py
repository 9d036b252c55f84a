"""A notebook's (or the explorer's) parameters into the model: one call each.

The parameters are validated through the schema (:mod:`sharedservices.report.params`) and
turned into the model's one :class:`~sharedservices.model.spec.Scenario`
(:func:`sharedservices.report.params.scenario_fields.to_scenario`), which
:func:`~sharedservices.model.scenario.run_scenario` and
:func:`~sharedservices.model.uncertainty.monte_carlo` take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sharedservices.model import scenario, uncertainty
from sharedservices.model.spec import DEFAULT_SEED
from sharedservices.report.params.scenario_fields import to_scenario

__all__ = ["monte_carlo_from_params", "run_from_params", "to_scenario"]


def run_from_params(params: Mapping[str, Any]) -> scenario.ScenarioResult:
    """Run the scenario the parameters describe (missing ones take their defaults).

    Examples
    --------
    >>> r = run_from_params({"council": "E2532", "horizon": 6})
    >>> r.metrics["council"], r.metrics["horizon"], len(r.timing)
    ('E2532', 6, 7)
    """
    return scenario.run_scenario(to_scenario(params))


def monte_carlo_from_params(params: Mapping[str, Any], *, draws: int | None = None,
                            seed: int | None = None) -> uncertainty.MonteCarloResult:
    """Monte Carlo around the scenario the parameters describe.

    ``draws`` and ``seed`` come from the arguments, else from ``params``, else 10 000 draws
    and :data:`sharedservices.model.spec.DEFAULT_SEED`.

    Examples
    --------
    >>> mc = monte_carlo_from_params({"council": "E2532", "horizon": 6, "draws": 50, "seed": 1})
    >>> mc.net_savings.shape
    (50, 7)
    """
    n = draws if draws is not None else int(params.get("draws", 10_000))
    s = seed if seed is not None else int(params.get("seed", DEFAULT_SEED))
    return uncertainty.monte_carlo(to_scenario(params), draws=n, seed=s)
