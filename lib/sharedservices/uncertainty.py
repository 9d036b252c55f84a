"""Monte Carlo and one-way sensitivities around a scenario.

What is drawn (one set per draw, shared by the programme's services, i.e. programme-wide
shocks such as management capacity; the spreads are ``programmes.spread.*``):

* savings rate: central rate x a lognormal multiplier with mean 1 and relative standard
  deviation ``spread.savings_rate``;
* one-off cost (after optimism bias): x a lognormal multiplier, mean 1, relative SD
  ``spread.one_off_cost``;
* delay: each service's lead time + N(0, ``spread.delay_years``), floored at 0;
* ramp: each service's ramp + N(0, ``spread.ramp_years``), floored at 0;
* failure year: from one uniform draw per draw (one partnership), see
  :func:`sharedservices.programmes.failure_years`; savings and running costs stop then.

The arithmetic is the deterministic model's own (:func:`programmes.service_profiles`,
:func:`financing.financing_flows`), vectorised over draws x services x years with no
Python loop over draws (draws are processed in chunks to stay in cache).  With every
spread zero and no failure the result equals :func:`scenario.run_scenario` exactly; with
failure, the mean over draws converges on the deterministic expected values.

Random numbers come from ``numpy.random.default_rng(seed)`` and are drawn for all draws
before any chunking, so results depend only on the seed and the number of draws.
Money is real 2010-11 £ thousand; years 0..H.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sharedservices import cuts, finance, financing, gap, programmes, scenario
from sharedservices.errors import InputError

__all__ = [
    "DEFAULT_SEED",
    "SPREAD_KEYS",
    "MonteCarloResult",
    "lognormal_multiplier",
    "monte_carlo",
    "one_way_sensitivities",
    "simulate",
]

#: Seed used when none is given (any fixed number: results must be reproducible).
DEFAULT_SEED = 20101020
SPREAD_KEYS = ("savings_rate", "one_off_cost", "delay_years", "ramp_years")


def lognormal_multiplier(z: np.ndarray, relative_sd: float) -> np.ndarray:
    """Lognormal multipliers with mean 1 and the given relative SD, from standard normals.

    ``sigma^2 = ln(1 + cv^2)``, ``mu = -sigma^2 / 2``; cv = 0 gives exactly 1.

    Examples
    --------
    >>> lognormal_multiplier(np.array([0.0, 1.0]), 0.0).tolist()
    [1.0, 1.0]
    >>> m = lognormal_multiplier(np.random.default_rng(1).standard_normal(200_000), 0.4)
    >>> round(float(m.mean()), 2), round(float(m.std() / m.mean()), 2)
    (1.0, 0.4)
    """
    if relative_sd < 0:
        raise InputError(f"spread: {relative_sd!r} (allowed: >= 0)")
    s2 = np.log1p(relative_sd**2)
    return np.exp(-s2 / 2.0 + np.sqrt(s2) * z)


@dataclass(frozen=True)
class MonteCarloResult:
    """Draw-level results and summaries.

    Attributes
    ----------
    draws : pandas.DataFrame
        One row per draw: ``npv_gbp_thousand``, ``payback_year`` (-1 = never),
        ``coverage_year1`` (NaN = no gap), ``cumulative_frontline_cuts_gbp_thousand``,
        ``front_loading_penalty_gbp_thousand``, ``penalty_absorbed_share`` (NaN where
        there is no penalty without the programme), ``budget_effect_pv_gbp_thousand``,
        ``one_off_cost_gbp_thousand``.
    net_savings : numpy.ndarray
        Draws x years, net effect on the budget (after financing), £ thousand.
    programme_cash_flow : numpy.ndarray
        Draws x years, gross savings - running - one-off costs, £ thousand.
    gross_savings : numpy.ndarray
        Draws x years.
    funding_gap : numpy.ndarray
        Years (the same for every draw).
    sr_period_years : int
    settings : dict
    """

    draws: pd.DataFrame
    net_savings: np.ndarray
    programme_cash_flow: np.ndarray
    gross_savings: np.ndarray
    funding_gap: np.ndarray
    sr_period_years: int
    settings: dict[str, Any]

    def p_payback_within(self, years: int | None = None) -> float:
        """P(the programme pays back by year ``years``; default the SR period, year 4)."""
        y = self.sr_period_years if years is None else years
        pb = self.draws["payback_year"].to_numpy()
        return float(np.mean((pb >= 0) & (pb <= y)))

    def p_coverage_at_least(self, x: float, year: int = 1) -> float:
        """P(coverage in ``year`` >= x); 0 where that year has no gap."""
        if self.funding_gap[year] <= 0:
            return 0.0
        return float(np.mean(self.net_savings[:, year] / self.funding_gap[year] >= x))

    def fan_chart(self, variable: str = "net_savings", percentiles: Sequence[float] = (5, 25, 50, 75, 95)) -> pd.DataFrame:
        """Percentiles by year for a fan chart.

        Parameters
        ----------
        variable : {"net_savings", "programme_cash_flow", "gross_savings",
                    "cumulative_cash_flow", "residual_gap", "coverage"}

        Returns
        -------
        pandas.DataFrame
            Index ``year``; columns ``financial_year``, ``mean`` and ``p<q>`` per
            percentile, £ thousand (coverage: a ratio, NaN where no gap).
        """
        arrays = {
            "net_savings": self.net_savings,
            "programme_cash_flow": self.programme_cash_flow,
            "gross_savings": self.gross_savings,
            "cumulative_cash_flow": np.cumsum(self.programme_cash_flow, axis=1),
            "residual_gap": self.funding_gap - self.net_savings,
        }
        if variable == "coverage":
            a = gap.coverage(self.net_savings, self.funding_gap)
        elif variable in arrays:
            a = arrays[variable]
        else:
            raise InputError(f"fan chart variable: {variable!r} (allowed: {', '.join([*arrays, 'coverage'])})")
        n = a.shape[1]
        q = np.percentile(a, list(percentiles), axis=0)
        out = pd.DataFrame({f"p{p:g}": q[i] for i, p in enumerate(percentiles)}, index=pd.RangeIndex(n, name="year"))
        out.insert(0, "mean", a.mean(axis=0))
        out.insert(0, "financial_year", [cuts.fy_label(t) for t in range(n)])
        return out

    def summary(self, percentiles: Sequence[float] = (5, 50, 95)) -> dict[str, Any]:
        """JSON-friendly summary: mean and percentiles of each draw metric, probabilities."""
        out: dict[str, Any] = {"draws": int(len(self.draws))}
        for col in ("npv_gbp_thousand", "cumulative_frontline_cuts_gbp_thousand", "front_loading_penalty_gbp_thousand"):
            v = self.draws[col].to_numpy()
            out[f"{col}_mean"] = float(v.mean())
            for p in percentiles:
                out[f"{col}_p{p:g}"] = float(np.percentile(v, p))
        out["p_payback_within_sr_period"] = self.p_payback_within()
        out["p_never_pays_back"] = float(np.mean(self.draws["payback_year"].to_numpy() < 0))
        out["p_coverage_year1_at_least_half"] = self.p_coverage_at_least(0.5, 1) if len(self.funding_gap) > 1 else None
        return out


def _spreads(spreads: Mapping[str, float] | None, d: scenario.ModelDefaults) -> dict[str, float]:
    out = dict(d.spreads)
    if spreads is not None:
        unknown = set(spreads) - set(SPREAD_KEYS)
        if unknown:
            raise InputError(f"spreads: {sorted(unknown)} (allowed: {', '.join(SPREAD_KEYS)})")
        out.update({k: float(v) for k, v in spreads.items()})
    for k, v in out.items():
        if not v >= 0:
            raise InputError(f"spread.{k}: {v!r} (allowed: >= 0)")
    return out


def simulate(
    si: Mapping[str, Any],
    financing_option: str,
    spreads: Mapping[str, float],
    draws: int,
    seed: int,
    discount: float | str = "green_book",
    chunk: int = 2048,
) -> MonteCarloResult:
    """Run the Monte Carlo on resolved scenario inputs (:func:`scenario.scenario_inputs`).

    Returns
    -------
    MonteCarloResult
    """
    if int(draws) != draws or draws < 1:
        raise InputError(f"draws: {draws!r} (allowed: a whole number >= 1)")
    if financing_option not in financing.FINANCING_OPTIONS:
        raise InputError(f"financing: {financing_option!r} (allowed: {', '.join(financing.FINANCING_OPTIONS)})")
    arrays: programmes.ProgrammeArrays = si["arrays"]
    d: scenario.ModelDefaults = si["defaults"]
    path, fgap = si["path"], si["gap"]
    t = np.arange(path.size)
    n_years = t.size
    start = arrays.start_year
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((4, draws))
    u = 1.0 - rng.random(draws)  # (0, 1]
    m_save = lognormal_multiplier(z[0], spreads["savings_rate"])
    m_cost = lognormal_multiplier(z[1], spreads["one_off_cost"])
    dz = spreads["delay_years"] * z[2]
    rz = spreads["ramp_years"] * z[3]
    dfs = finance.discount_factors(t, discount)
    pers = float(si.get("persistence", 0.0))
    terms = si.get("terms", d.terms)
    partner = None
    if financing_option == "gain_share":
        # the partner signs once, on the expected savings; the draws are its risk
        g0, _, c0 = programmes.service_profiles(arrays, t, savings_rate=si["savings_rate"],
                                                one_off_ratio=si["one_off_ratio"], lead=si["lead"],
                                                ramp=si["ramp"], running_ratio=si["running_ratio"])
        partner = financing.partner_terms(c0, g0, start, terms)
    even = cuts.even_path(path, si["n"])
    gap_even = cuts.funding_gap(even, si["pressure"])
    fp = arrays.failure_probability
    if fp.size and np.all(fp == fp[0]):
        fp = fp[:1]  # one partnership, one failure year: broadcast over services
    out_gross = np.empty((draws, n_years))
    out_cash = np.empty((draws, n_years))
    out_net = np.empty((draws, n_years))
    out_budget = np.empty((draws, n_years))
    one_off_total = np.empty(draws)
    for lo in range(0, draws, chunk):  # chunks of draws, vectorised within
        sl = slice(lo, min(lo + chunk, draws))
        fy = programmes.failure_years(u[sl, None], start, fp)  # (c, S), or (c, 1) if one p
        alive = (t < fy[..., None]).astype(float)  # (c, S or 1, T)
        gross, running, one_off = programmes.service_profiles(
            arrays,
            t,
            savings_rate=si["savings_rate"] * m_save[sl, None],
            one_off_ratio=si["one_off_ratio"] * m_cost[sl, None],
            lead=np.maximum(si["lead"] + dz[sl, None], 0.0),
            ramp=np.maximum(si["ramp"] + rz[sl, None], 0.0),
            running_ratio=np.broadcast_to(si["running_ratio"], (sl.stop - sl.start, arrays.addressable.size)),
            alive=alive,
        )
        ff = financing.financing_flows(financing_option, one_off, gross, start, terms,  # type: ignore[arg-type]
                                       capital_share=float(si.get("capital_share", 0.0)),
                                       reserves_available=float(si.get("reserves_available", np.inf)),
                                       partner=partner)
        cash = gross - running - one_off
        out_gross[sl] = gross
        out_cash[sl] = cash
        out_net[sl] = cash + ff.financing
        out_budget[sl] = cash + ff.financing - ff.reserves_draw
        one_off_total[sl] = one_off.sum(axis=1)
    residual = fgap - out_net
    cum = gap.cumulative_cuts(residual, pers)
    cum_even = gap.cumulative_cuts(gap_even - out_net, pers)
    cum_none = gap.cumulative_cuts(fgap, pers)
    pen_none = cum_none - gap.cumulative_cuts(gap_even, pers)
    cov1 = gap.coverage(out_net[:, 1], fgap[1]) if n_years > 1 else np.full(draws, np.nan)
    table = pd.DataFrame(
        {
            "npv_gbp_thousand": (out_cash * dfs).sum(axis=-1),
            "payback_year": finance.payback_years(out_cash),
            "coverage_year1": cov1,
            "cumulative_frontline_cuts_gbp_thousand": cum,
            "front_loading_penalty_gbp_thousand": cum - cum_even,
            "penalty_absorbed_share": gap.penalty_absorbed_share(np.full(draws, pen_none), cum - cum_even),
            "budget_effect_pv_gbp_thousand": (out_budget * dfs).sum(axis=-1),
            "one_off_cost_gbp_thousand": one_off_total,
        }
    )
    settings = {**si["settings"], "financing": financing_option, "draws": int(draws), "seed": seed, "spreads": dict(spreads), "discount": discount}
    return MonteCarloResult(table, out_net, out_cash, out_gross, fgap, int(d.sr2010_period_years), settings)


def monte_carlo(
    council: str | scenario.CouncilInputs,
    programme: str | programmes.Programme = "back_office",
    financing: str = "reserves",
    *,
    draws: int = 10_000,
    seed: int = DEFAULT_SEED,
    spreads: Mapping[str, float] | None = None,
    discount: float | str = "green_book",
    **scenario_kwargs: Any,
) -> MonteCarloResult:
    """Monte Carlo around one scenario.

    Parameters
    ----------
    council, programme, financing, discount
        As for :func:`sharedservices.scenario.run_scenario`.
    draws : int
    seed : int
    spreads : mapping, optional
        Override any of ``savings_rate``, ``one_off_cost`` (relative SDs),
        ``delay_years``, ``ramp_years`` (SDs in years); None = the cited spreads.
    **scenario_kwargs
        Any other :func:`run_scenario` parameter (cut path, multipliers, optimism bias,
        ``failure_probability`` ...) except ``protect``.

    Returns
    -------
    MonteCarloResult
    """
    si = scenario.scenario_inputs(council, programme, **scenario_kwargs)
    return simulate(si, financing, _spreads(spreads, si["defaults"]), draws, seed, discount)



def one_way_sensitivities(
    council: str | scenario.CouncilInputs,
    programme: str | programmes.Programme = "back_office",
    financing: str = "reserves",
    *,
    metric: str = "npv_gbp_thousand",
    spreads: Mapping[str, float] | None = None,
    **scenario_kwargs: Any,
) -> pd.DataFrame:
    """One-way sensitivities for a tornado chart.

    Each parameter moves alone to a low and a high value, the rest at their central
    values: savings and one-off cost multipliers at 1 -/+ their relative spread, delay
    +0 / +2 SD years (no negative delay), ramp -/+ 1 SD (floored at 0), failure
    probability 0 and twice the cited value, and for a parametric path front-loading 0
    and 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``low``, ``high`` (parameter values), ``metric_low``,
        ``metric_high``, ``central``, ``swing`` (|high - low| of the metric), sorted by
        swing, largest first.
    """
    d = scenario.defaults_from_assumptions()
    sp = _spreads(spreads, d)
    base_kw = {"programme": programme, "financing": financing, **scenario_kwargs}
    central = scenario.run_scenario(council, **base_kw)
    if metric not in central.metrics or not isinstance(central.metrics[metric], int | float):
        raise InputError(f"metric: {metric!r} (allowed: a numeric key of ScenarioResult.metrics)")
    arrays = central.settings
    si_kw = {k: v for k, v in scenario_kwargs.items() if k not in ("discount", "protect")}
    ramp_c = float(np.mean(scenario.scenario_inputs(council, programme, **si_kw)["arrays"].ramp))
    ramp_c *= float(scenario_kwargs.get("ramp_multiplier", 1.0))
    if scenario_kwargs.get("ramp_years") is not None:
        ramp_c = float(scenario_kwargs["ramp_years"])
    p_c = float(np.max(arrays["failure_probability"]))
    sm = float(scenario_kwargs.get("savings_multiplier", 1.0))
    cm = float(scenario_kwargs.get("one_off_cost_multiplier", 1.0))
    dl = float(scenario_kwargs.get("delay_years", 0.0))
    cases: list[tuple[str, float, float]] = [
        ("savings_multiplier", sm * (1 - sp["savings_rate"]), sm * (1 + sp["savings_rate"])),
        ("one_off_cost_multiplier", cm * max(1 - sp["one_off_cost"], 0.0), cm * (1 + sp["one_off_cost"])),
        ("delay_years", dl, dl + 2 * sp["delay_years"]),
        ("ramp_years", max(ramp_c - sp["ramp_years"], 0.0), ramp_c + sp["ramp_years"]),
        ("failure_probability", 0.0, min(2 * p_c, 1.0)),
    ]
    if scenario_kwargs.get("cut_path") == "parametric":
        cases.append(("front_loading", 0.0, 1.0))
    rows = []
    for name, lo, hi in cases:
        vals = []
        for v in (lo, hi):
            kw = {**base_kw, name: v}
            vals.append(float(scenario.run_scenario(council, **kw).metrics[metric]))
        rows.append(
            {
                "parameter": name,
                "low": lo,
                "high": hi,
                "metric_low": vals[0],
                "metric_high": vals[1],
                "central": float(central.metrics[metric]),
                "swing": abs(vals[1] - vals[0]),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)
