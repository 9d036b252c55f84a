"""Monte Carlo and one-way sensitivities around a scenario.

What is drawn (one set per draw, shared by the programme's services, i.e. programme-wide
shocks such as management capacity; the spreads are ``programmes.spread.*``):

* savings rate: central rate x a lognormal multiplier with mean 1 and relative standard
  deviation ``spread.savings_rate``;
* one-off cost (after optimism bias): x a lognormal multiplier, mean 1, relative SD
  ``spread.one_off_cost``;
* lead time: each service's lead x a lognormal multiplier with mean 1 whose SD in years is
  ``spread.delay_years`` at the programme's mean lead (so a lead can never fall below
  zero; a service with no lead keeps none);
* ramp: each service's ramp x a lognormal multiplier, mean 1, SD ``spread.ramp_years`` at
  the programme's mean ramp;
* the delay and the cost overrun move together: their normal scores have correlation
  ``uncertainty.delay_cost_correlation`` (late programmes cost more);
* failure year: from one uniform draw per draw (one partnership), see
  :func:`sharedservices.model.programmes.failure_years`; savings and running costs stop then,
  and leaving costs ``uncertainty.exit_cost_ratio`` x the last year's gross saving.

The arithmetic is the deterministic model's own (:func:`programmes.service_profiles`,
:func:`financing.financing_flows`), vectorised over draws x services x years with no
Python loop over draws (draws are processed in chunks to stay in cache).  With every
spread zero and no failure the result equals :func:`sharedservices.model.scenario.run_scenario` exactly; with
failure, the mean over draws converges on the deterministic expected values (which carry
the expected exit cost).

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

from sharedservices.errors import InputError
from sharedservices.model import cited, cuts, finance, financing, gap, programmes, scenario
from sharedservices.model import financing as financing_module
from sharedservices.model.spec import DEFAULT_SEED, Scenario

__all__ = [
    "DEFAULT_SEED",
    "SPREAD_KEYS",
    "MonteCarloResult",
    "TORNADO_INPUTS",
    "duration_cv",
    "lognormal_multiplier",
    "lognormal_quantile",
    "monte_carlo",
    "one_way_sensitivities",
    "simulate",
]

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


def _spreads(spreads: Mapping[str, float] | None) -> dict[str, float]:
    out = dict(cited.spreads())
    if spreads is not None:
        unknown = set(spreads) - set(SPREAD_KEYS)
        if unknown:
            raise InputError(f"spreads: {sorted(unknown)} (allowed: {', '.join(SPREAD_KEYS)})")
        out.update({k: float(v) for k, v in spreads.items()})
    for k, v in out.items():
        if not v >= 0:
            raise InputError(f"spread.{k}: {v!r} (allowed: >= 0)")
    return out


def duration_cv(sd_years: float, central: np.ndarray, weights: np.ndarray) -> float:
    """Relative SD of a programme-wide lognormal duration multiplier: ``sd / mean``, the
    mean weighted by addressable spend (0 when the programme has no such duration).

    Examples
    --------
    >>> duration_cv(1.0, np.array([2.0, 0.0]), np.array([1.0, 1.0]))
    1.0
    >>> duration_cv(1.0, np.array([0.0]), np.array([5.0]))
    0.0
    """
    w = np.asarray(weights, dtype=float)
    c = np.broadcast_to(np.asarray(central, dtype=float), w.shape)
    mean = float((c * w).sum() / w.sum()) if w.sum() > 0 else 0.0
    return float(sd_years) / mean if mean > 1e-12 else 0.0


def _cash_flows(si: scenario.Resolved, option: str, terms: financing.FinancingTerms,
                partner: financing.PartnerTerms | None, m_save: np.ndarray, m_cost: np.ndarray,
                m_lead: np.ndarray, m_ramp: np.ndarray, fy: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gross savings, programme cash flow, net (revenue) effect, budget effect and one-off
    costs for rows of shocks (draws, or a tornado's cases), each (rows, T).

    ``fy``: failure year per row (rows, S or 1), or None for the survival-weighted
    expectation of the deterministic model.
    """
    arrays = si.arrays
    t = np.arange(si.path.size)
    rows = m_save.shape[0]
    alive = None if fy is None else (t < fy[..., None]).astype(float)
    gross, running, one_off = programmes.service_profiles(
        arrays,
        t,
        savings_rate=si.savings_rate * m_save[:, None],
        one_off_ratio=si.one_off_ratio * m_cost[:, None],
        lead=si.lead * m_lead[:, None],
        ramp=si.ramp * m_ramp[:, None],
        running_ratio=np.broadcast_to(si.running_ratio, (rows, arrays.addressable.size)),
        alive=alive,
        exit_cost_ratio=float(si.exit_cost_ratio),
    )
    ff = financing.financing_flows(option, one_off, gross, arrays.start_year, terms,  # type: ignore[arg-type]
                                   capital_share=float(si.capital_share),
                                   reserves_available=float(si.reserves_available),
                                   partner=partner)
    cash = gross - running - one_off
    return gross, cash, cash + ff.financing, cash + ff.financing - ff.own_money, one_off


def _partner(si: scenario.Resolved, option: str, terms: financing.FinancingTerms) -> financing.PartnerTerms | None:
    """The partner signs once, on the expected savings; the draws are its risk."""
    if option != "gain_share":
        return None
    arrays = si.arrays
    t = np.arange(si.path.size)
    g0, _, c0 = programmes.service_profiles(arrays, t, savings_rate=si.savings_rate,
                                            one_off_ratio=si.one_off_ratio, lead=si.lead,
                                            ramp=si.ramp, running_ratio=si.running_ratio)
    return financing.partner_terms(c0, g0, arrays.start_year, terms)


def simulate(
    si: scenario.Resolved,
    financing_option: str,
    spreads: Mapping[str, float],
    draws: int,
    seed: int,
    discount: float | str | None = None,
    chunk: int = 2048,
    correlation: float | None = None,
) -> MonteCarloResult:
    """Run the Monte Carlo on a resolved scenario (:func:`sharedservices.model.scenario.resolve`).

    Parameters
    ----------
    discount : {"green_book", "none"} or float, optional
        The scenario's own (None) or another.
    correlation : float, optional
        Correlation of the delay and cost-overrun shocks (None: the cited
        ``uncertainty.delay_cost_correlation``).

    Returns
    -------
    MonteCarloResult
    """
    if int(draws) != draws or draws < 1:
        raise InputError(f"draws: {draws!r} (allowed: a whole number >= 1)")
    if financing_option not in financing.FINANCING_OPTIONS:
        raise InputError(f"financing: {financing_option!r} (allowed: {', '.join(financing.FINANCING_OPTIONS)})")
    arrays = si.arrays
    path, fgap = si.path, si.gap
    t = np.arange(path.size)
    n_years = t.size
    start = arrays.start_year
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((4, draws))
    u = 1.0 - rng.random(draws)  # (0, 1]
    rho = cited.delay_cost_correlation() if correlation is None else float(correlation)
    if not (np.isfinite(rho) and -1.0 <= rho <= 1.0):
        raise InputError(f"delay_cost_correlation: {correlation!r} (allowed: -1 to 1)")
    z_delay = z[2]
    z_cost = rho * z_delay + np.sqrt(1.0 - rho * rho) * z[1]
    m_save = lognormal_multiplier(z[0], spreads["savings_rate"])
    m_cost = lognormal_multiplier(z_cost, spreads["one_off_cost"])
    m_lead = lognormal_multiplier(z_delay, duration_cv(spreads["delay_years"], si.lead, arrays.addressable))
    m_ramp = lognormal_multiplier(z[3], duration_cv(spreads["ramp_years"], si.ramp, arrays.addressable))
    exit_ratio = float(si.exit_cost_ratio)
    discount = si.scenario.rate if discount is None else discount
    dfs = finance.discount_factors(t, cited.rate(discount))
    pers = float(si.persistence)
    terms = si.terms
    partner = _partner(si, financing_option, terms)
    even = cuts.even_path(path, si.n)
    gap_even = cuts.funding_gap(even, si.pressure)
    fp = arrays.failure_probability
    if fp.size and np.all(fp == fp[0]):
        fp = fp[:1]  # one partnership, one failure year: broadcast over services
    out_gross = np.empty((draws, n_years))
    out_cash = np.empty((draws, n_years))
    out_net = np.empty((draws, n_years))
    out_budget = np.empty((draws, n_years))
    one_off_total = np.empty(draws)
    failure_year = np.empty(draws)
    for lo in range(0, draws, chunk):  # chunks of draws, vectorised within
        sl = slice(lo, min(lo + chunk, draws))
        fy = programmes.failure_years(u[sl, None], start, fp)  # (c, S), or (c, 1) if one p
        gross, cash, net, budget, one_off = _cash_flows(si, financing_option, terms, partner, m_save[sl],
                                                        m_cost[sl], m_lead[sl], m_ramp[sl], fy)
        failure_year[sl] = np.min(fy, axis=-1)
        out_gross[sl] = gross
        out_cash[sl] = cash
        out_net[sl] = net
        out_budget[sl] = budget
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
            "savings_multiplier": m_save,
            "one_off_cost_multiplier": m_cost,
            "lead_multiplier": m_lead,
            "ramp_multiplier": m_ramp,
            "failure_year": np.where(np.isfinite(failure_year), failure_year, -1).astype(int),
        }
    )
    settings = {**si.settings, "financing": financing_option, "draws": int(draws), "seed": seed,
                "spreads": dict(spreads), "delay_cost_correlation": rho, "exit_cost_ratio": exit_ratio,
                "discount": discount}
    return MonteCarloResult(table, out_net, out_cash, out_gross, fgap, int(cited.sr2010_period_years()), settings)


def monte_carlo(
    scenario_: Scenario | str | scenario.CouncilInputs,
    *args: Any,
    draws: int = 10_000,
    seed: int = DEFAULT_SEED,
    spreads: Mapping[str, float] | None = None,
    correlation: float | None = None,
    **scenario_kwargs: Any,
) -> MonteCarloResult:
    """Monte Carlo around one scenario.

    Parameters
    ----------
    scenario_ : Scenario
        The scenario (or the keyword form of :func:`sharedservices.model.scenario.as_scenario`:
        ``monte_carlo(council, programme, financing, horizon=6, draws=500)``); its financing and
        discount are the simulation's.
    draws : int
    seed : int
        Default :data:`sharedservices.model.spec.DEFAULT_SEED`, as report 40's.
    spreads : mapping, optional
        Override any of ``savings_rate``, ``one_off_cost`` (relative SDs),
        ``delay_years``, ``ramp_years`` (SDs in years); None = the cited spreads.
    correlation : float, optional
        Correlation of the delay and cost-overrun shocks (None: the cited value).

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> mc = monte_carlo(Scenario("E2532", horizon=6), draws=50, seed=1)
    >>> mc.net_savings.shape
    (50, 7)
    """
    si = scenario.resolve(scenario_, *args, **scenario_kwargs)
    return simulate(si, si.scenario.financing, _spreads(spreads), draws, seed, correlation=correlation)


def lognormal_quantile(q: float, relative_sd: float) -> float:
    """The q-quantile of the mean-1 lognormal multiplier of :func:`lognormal_multiplier`.

    Examples
    --------
    >>> lognormal_quantile(0.5, 0.0), round(lognormal_quantile(0.5, 0.4), 4)
    (1.0, 0.9285)
    """
    from statistics import NormalDist

    return float(lognormal_multiplier(np.array([NormalDist().inv_cdf(q)]), relative_sd)[0])


#: The inputs of the tornado, in the order of the table (the parametric path's front-loading
#: is a choice of path, not an uncertain input, so it is not among them).
TORNADO_INPUTS: tuple[str, ...] = ("savings_multiplier", "one_off_cost_multiplier", "lead_multiplier",
                                   "ramp_multiplier", "failure_year")


def one_way_sensitivities(
    scenario_: Scenario | str | scenario.CouncilInputs,
    *args: Any,
    metric: str = "npv_gbp_thousand",
    spreads: Mapping[str, float] | None = None,
    percentiles: tuple[float, float] | None = None,
    **scenario_kwargs: Any,
) -> pd.DataFrame:
    """One-way sensitivities for a tornado chart, every input over the same probability range.

    Each uncertain input of the Monte Carlo moves alone to the low and high percentile of
    its own distribution (``uncertainty.tornado_percentiles``, e.g. the 10th and 90th), the
    others at their central values: the savings, one-off-cost, lead-time and ramp
    multipliers (lognormal quantiles) and the partnership's failure year (the year it fails
    at those percentiles of the failure-year distribution; the central case is the
    deterministic model's expected survival).

    Parameters
    ----------
    scenario_ : Scenario
        As for :func:`monte_carlo` (its financing and discount are used).
    metric : {"npv_gbp_thousand", "budget_effect_pv_gbp_thousand"}
    percentiles : (float, float), optional
        Low and high percentiles (default the cited ones).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``low``, ``high`` (the input's values: multipliers, or the
        failure year with -1 for "not within the horizon"), ``metric_low``,
        ``metric_high``, ``central``, ``swing`` (|high - low| of the metric), sorted by
        swing, largest first.
    """
    allowed = ("npv_gbp_thousand", "budget_effect_pv_gbp_thousand")
    if metric not in allowed:
        raise InputError(f"metric: {metric!r} (allowed: {', '.join(allowed)})")
    si = scenario.resolve(scenario_, *args, **scenario_kwargs)
    financing = si.scenario.financing
    sp = _spreads(spreads)
    lo_q, hi_q = (cited.tornado_percentiles() if percentiles is None else percentiles)
    if not 0.0 < lo_q < hi_q < 100.0:
        raise InputError(f"tornado percentiles: {(lo_q, hi_q)!r} (allowed: 0 < low < high < 100)")
    if financing not in financing_module.FINANCING_OPTIONS:
        raise InputError(f"financing: {financing!r} (allowed: {', '.join(financing_module.FINANCING_OPTIONS)})")
    arrays = si.arrays
    t = np.arange(si.path.size)
    dfs = finance.discount_factors(t, cited.rate(si.scenario.rate))
    terms = si.terms
    partner = _partner(si, financing, terms)
    cvs = {"savings_multiplier": sp["savings_rate"], "one_off_cost_multiplier": sp["one_off_cost"],
           "lead_multiplier": duration_cv(sp["delay_years"], si.lead, arrays.addressable),
           "ramp_multiplier": duration_cv(sp["ramp_years"], si.ramp, arrays.addressable)}

    def value(m: dict[str, float], fy: np.ndarray | None) -> float:
        one = np.ones(1)
        _, cash, _, budget, _ = _cash_flows(si, financing, terms, partner, one * m.get("savings_multiplier", 1.0),
                                            one * m.get("one_off_cost_multiplier", 1.0),
                                            one * m.get("lead_multiplier", 1.0), one * m.get("ramp_multiplier", 1.0),
                                            fy)
        flows = cash if metric == "npv_gbp_thousand" else budget
        return float((flows[0] * dfs).sum())

    central = value({}, None)
    rows = []
    for name, cv in cvs.items():
        lo, hi = lognormal_quantile(lo_q / 100.0, cv), lognormal_quantile(hi_q / 100.0, cv)
        rows.append((name, lo, hi, value({name: lo}, None), value({name: hi}, None)))
    fp = arrays.failure_probability
    # early failure at the low percentile of the failure year (a uniform draw near 1), late at the high
    fy_lo = programmes.failure_years(np.array([[1.0 - lo_q / 100.0]]), arrays.start_year, fp[:1])
    fy_hi = programmes.failure_years(np.array([[1.0 - hi_q / 100.0]]), arrays.start_year, fp[:1])

    def year(fy: np.ndarray) -> int:
        f = float(fy.ravel()[0])
        return int(f) if np.isfinite(f) and f <= t[-1] else -1

    rows.append(("failure_year", year(fy_lo), year(fy_hi), value({}, fy_lo), value({}, fy_hi)))
    out = pd.DataFrame(rows, columns=["parameter", "low", "high", "metric_low", "metric_high"])
    out["central"] = central
    out["swing"] = (out["metric_high"] - out["metric_low"]).abs()
    return out.sort_values("swing", ascending=False, ignore_index=True)
