"""Headlines of ``40-uncertainty``: how sure is a council's payback from shared services?

:func:`analyse` runs what the report shows (the central scenario, the Monte Carlo with
and without optimism bias, the one-way sensitivities of the NPV); :func:`summarise` turns
that into flat headlines (money £m, 2010-11 prices; probabilities as fractions);
:func:`headlines` (registered) does both from the report's parameters and
:func:`finding_lines` writes the key findings from the headlines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sharedservices.inputs import data
from sharedservices.model import cited, cuts, reference_class, uncertainty
from sharedservices.report.findings import Headlines, register
from sharedservices.report.findings.nb30_payback_vs_cuts import (
    arbitrage_words,
    caveat_line,
    data_caveats,
    discount_words,
    financing_words,
    full_run_words,
)
from sharedservices.report.findings.nb30_payback_vs_cuts import summarise as summarise_scenario
from sharedservices.report.format import count, financing_name, gbp_m, pct
from sharedservices.report.scenarios import monte_carlo_from_params, run_from_params, to_scenario

__all__ = ["STEM", "SENSITIVITY_LABELS", "analyse", "finding_lines", "headlines", "summarise"]

STEM = "40-uncertainty"

#: Plain words for the one-way sensitivity parameters.
SENSITIVITY_LABELS = {
    "savings_multiplier": "savings rate",
    "one_off_cost_multiplier": "one-off cost",
    "lead_multiplier": "lead time before savings start",
    "ramp_multiplier": "ramp-up time",
    "failure_year": "year the partnership fails",
}

#: The optimism-bias cases report 40 sets side by side (suffix of their headline keys).
ADJUSTMENT_CASES: dict[str, dict[str, Any]] = {
    "reference_class": {"optimism_bias": True, "optimism_adjustment": "reference_class"},
    "reference_class_all_pairs": {"optimism_bias": True, "optimism_adjustment": "reference_class_all_pairs"},
    "green_book_lower": {"optimism_bias": True, "optimism_adjustment": "green_book_lower"},
    "green_book_upper": {"optimism_bias": True, "optimism_adjustment": "green_book_upper"},
    "without_ob": {"optimism_bias": False},
}
#: The correlations of delay and cost overrun the report tests, besides the cited one.
CORRELATION_CASES: dict[str, float] = {"rho_0": 0.0, "rho_high": 0.9}


def analyse(params: Mapping[str, Any]) -> dict[str, Any]:
    """Run the report's model calls for validated ``40-uncertainty`` parameters.

    Returns
    -------
    dict
        ``params``; ``central`` (ScenarioResult); ``mc`` (MonteCarloResult of the chosen
        optimism-bias setting); ``mc_<case>`` for each of :data:`ADJUSTMENT_CASES` (same
        seed, so the same random draws); ``mc_<rho case>`` for each of
        :data:`CORRELATION_CASES` (chosen setting, other correlations); ``sensitivities``
        (:func:`sharedservices.model.uncertainty.one_way_sensitivities` of the NPV, £ thousand);
        ``adjustments`` (the adjustments side by side,
        :func:`sharedservices.model.reference_class.adjustments_table`).

    Examples
    --------
    >>> a = analyse({"council": "E2532", "horizon": 6, "draws": 200, "seed": 1})
    >>> a["mc"] is a["mc_reference_class"], a["mc"].net_savings.shape
    (True, (200, 7))
    """
    params = dict(params)
    out: dict[str, Any] = {"params": params}
    chosen = ("without_ob" if not params.get("optimism_bias", True)
              else str(params.get("optimism_adjustment", "reference_class")))
    for case, over in ADJUSTMENT_CASES.items():
        out[f"mc_{case}"] = monte_carlo_from_params({**params, **over})
    out["mc"] = out[f"mc_{chosen}"]
    sc = to_scenario(params)
    n = int(params.get("draws", 10_000))
    s = int(params.get("seed", uncertainty.DEFAULT_SEED))
    for case, rho in CORRELATION_CASES.items():
        out[f"mc_{case}"] = uncertainty.monte_carlo(sc, draws=n, seed=s, correlation=rho)
    out["sensitivities"] = uncertainty.one_way_sensitivities(sc, metric="npv_gbp_thousand")
    out["central"] = run_from_params(params)
    out["adjustments"] = reference_class.adjustments_table(
        [cited.adjustment(name) for name in reference_class.ADJUSTMENTS])
    return out


def _mc_numbers(mc: uncertainty.MonteCarloResult) -> dict[str, float | None]:
    npv = mc.draws["npv_gbp_thousand"].to_numpy() / 1000.0
    has_gap = len(mc.funding_gap) > 1 and mc.funding_gap[1] > 0
    return {
        "p_payback_within_sr_period": mc.p_payback_within(),
        "p_never_pays_back": float(np.mean(mc.draws["payback_year"].to_numpy() < 0)),
        "p_cover_year1_gap": mc.p_coverage_at_least(1.0, 1) if has_gap else None,
        "p_cover_half_year1_gap": mc.p_coverage_at_least(0.5, 1) if has_gap else None,
        "p_npv_negative": float(np.mean(npv < 0)),
        "npv_mean_gbp_m": float(npv.mean()),
        "npv_p5_gbp_m": float(np.percentile(npv, 5)),
        "npv_p50_gbp_m": float(np.percentile(npv, 50)),
        "npv_p95_gbp_m": float(np.percentile(npv, 95)),
    }


def summarise(analysis: Mapping[str, Any]) -> Headlines:
    """Headline values of an :func:`analyse` result.

    Keys: ``council``, ``council_name``, ``programme``, ``draws``, ``seed``, ``discount``,
    ``sr_period_years``, ``sr_end_financial_year``, ``funding_gap_sr_end_gbp_m``,
    ``net_savings_sr_end_p50_gbp_m`` and ``_p95_gbp_m`` (net savings in the last SR year),
    ``central_payback_year``, ``central_npv_gbp_m`` (deterministic,
    expected values); for the chosen optimism-bias setting ``p_payback_within_sr_period``,
    ``p_never_pays_back``, ``p_cover_year1_gap`` (P(net savings >= the 2011-12 gap); None
    if there is no gap), ``p_cover_half_year1_gap``, ``p_npv_negative``,
    ``npv_mean_gbp_m``, ``npv_p5_gbp_m``, ``npv_p50_gbp_m``, ``npv_p95_gbp_m``; the same
    with suffix ``_with_ob`` and ``_without_ob``; ``top_sensitivity`` (parameter with the
    largest NPV swing), ``top_sensitivity_label``, ``top_sensitivity_swing_gbp_m``,
    ``top_sensitivity_npv_low_gbp_m`` / ``_high_gbp_m``; the data caveats of
    :func:`sharedservices.report.findings.nb30_payback_vs_cuts.data_caveats`.
    """
    central, mc, sens = analysis["central"], analysis["mc"], analysis["sensitivities"]
    m = central.metrics
    out: dict[str, Any] = {
        "council": m["council"],
        "council_name": data.short_name(m["council_name"]),  # as the title names it
        "programme": m["programme"],
        "draws": int(mc.settings["draws"]),
        "seed": int(mc.settings["seed"]),
        "discount": str(central.settings["discount"]),
        "optimism_bias": bool(central.settings["optimism_bias"]),
        "sr_period_years": int(mc.sr_period_years),
        "central_payback_year": m["payback_year"],
        "central_npv_gbp_m": float(m["npv_gbp_thousand"]) / 1000.0,
    }
    sr = min(int(mc.sr_period_years), len(mc.funding_gap) - 1)
    sr_net = mc.net_savings[:, sr] / 1000.0
    out.update(
        sr_end_financial_year=cuts.fy_label(sr),
        funding_gap_sr_end_gbp_m=float(mc.funding_gap[sr]) / 1000.0,
        net_savings_sr_end_p50_gbp_m=float(np.percentile(sr_net, 50)),
        net_savings_sr_end_p95_gbp_m=float(np.percentile(sr_net, 95)),
    )
    out.update(_mc_numbers(mc))
    for case in (*ADJUSTMENT_CASES, *CORRELATION_CASES):
        out.update({f"{k}_{case}": v for k, v in _mc_numbers(analysis[f"mc_{case}"]).items()})
    out.update({f"{k}_with_ob": out[f"{k}_reference_class"] for k in _mc_numbers(mc)})
    out["delay_cost_correlation"] = float(mc.settings["delay_cost_correlation"])
    out.update({f"delay_cost_correlation_{case}": rho for case, rho in CORRELATION_CASES.items()})
    out["exit_cost_ratio"] = float(mc.settings["exit_cost_ratio"])
    out["optimism_adjustment"] = (None if not central.settings["optimism_bias"]
                                  else str(central.settings["optimism_adjustment"]))
    out["reference_class_is_green_book_lower"] = reference_class.same_values(
        cited.adjustment("reference_class"), cited.adjustment("green_book_lower"))
    top = sens.iloc[0]
    out.update(
        top_sensitivity=str(top["parameter"]),
        top_sensitivity_label=SENSITIVITY_LABELS.get(str(top["parameter"]), str(top["parameter"])),
        top_sensitivity_swing_gbp_m=float(top["swing"]) / 1000.0,
        top_sensitivity_npv_low_gbp_m=float(top["metric_low"]) / 1000.0,
        top_sensitivity_npv_high_gbp_m=float(top["metric_high"]) / 1000.0,
    )
    out.update(data_caveats(m))
    fin = summarise_scenario(central)
    out.update({k: fin[k] for k in _FINANCING_KEYS})
    out["full_run_coverage_year1"] = fin["full_run_coverage_year1"]
    draws_ = mc.draws
    out["budget_effect_pv_p50_gbp_m"] = float(np.percentile(draws_["budget_effect_pv_gbp_thousand"], 50)) / 1000.0
    absorbed = draws_["penalty_absorbed_share"].to_numpy(dtype=float)
    for q in (5, 50, 95):  # rounded as report 30 rounds it: no float noise or negative zero
        out[f"penalty_absorbed_share_p{q}"] = (None if np.isnan(absorbed).all()
                                               else round(float(np.nanpercentile(absorbed, q)), 12) + 0.0)
    return out


#: Report 30's financing keys report 40 repeats (the terms are fixed before the draws).
_FINANCING_KEYS = ("financing", "financing_fallback", "partner_share", "partner_feasible", "partner_irr",
                   "borrowing_rate_real", "partner_best_irr", "partner_npv_at_hurdle_gbp_m",
                   "partner_hurdle_nominal", "partner_term_years", "borrowed_gbp_m", "financing_cost_gbp_m",
                   "one_off_capital_share", "capitalisation_direction", "revenue_one_off_gbp_m", "reserves_draw_gbp_m",
                   "frontline_cut_persistence")


@register(STEM)
def headlines(**params: Any) -> Headlines:
    """Headlines of ``40-uncertainty`` for its validated parameters.

    Examples
    --------
    >>> h = headlines(council="E2532", horizon=6, draws=200, seed=1)
    >>> 0.0 <= h["p_payback_within_sr_period"] <= 1.0
    True
    """
    return summarise(analyse(params))


def _p(x: float | None) -> str:
    return pct(x, missing="n/a (no gap)")


def _first_year_line(h: Headlines) -> str:
    year = cuts.fy_label(1)
    if h["p_cover_year1_gap"] is None:
        return f"There is no funding gap in {year} on this path, so nothing to cover in the first year."
    text = (f"Net savings cover the whole first-year ({year}) funding gap in {_p(h['p_cover_year1_gap'])} of "
            f"simulations and half of it in {_p(h['p_cover_half_year1_gap'])} of simulations")
    late = float(h["p_cover_half_year1_gap"] or 0.0) < 0.5
    return text + (": the savings come too late for the first year of the cuts." if late else ".") + (
        f" {full_run_words(h)}" if full_run_words(h) else "")


def fan_title(h: Headlines) -> str:
    """Title of the fan chart of cumulative cash flow: how often the programme pays back.

    Examples
    --------
    >>> fan_title({"p_payback_within_sr_period": 0.472, "p_never_pays_back": 0.174})
    '47% of simulations pay back within the Spending Review period; 17% of simulations never do within the horizon'
    """
    return (f"{pct(h['p_payback_within_sr_period'], 0)} of simulations pay back within the Spending Review period; "
            f"{pct(h['p_never_pays_back'], 0)} of simulations never do within the horizon")


def payback_distribution_title(h: Headlines) -> str:
    """Title of the chart of payback years under each optimism-bias adjustment.

    Examples
    --------
    >>> payback_distribution_title({"p_payback_within_sr_period_reference_class": 0.472,
    ...                             "p_payback_within_sr_period_green_book_upper": 0.028})
    '47% of simulations pay back within the Spending Review period with the reference class, 3% of simulations at the Green Book upper bound'
    """
    return (f"{pct(h['p_payback_within_sr_period_reference_class'], 0)} of simulations pay back within the Spending "
            f"Review period with the reference class, {pct(h['p_payback_within_sr_period_green_book_upper'], 0)} of "
            "simulations at the Green Book upper bound")


def finding_lines(h: Headlines) -> list[str]:
    """The key findings, written from the headlines (most important first).

    Examples
    --------
    >>> lines = finding_lines(headlines(council="E2532", horizon=6, draws=200, seed=1))
    >>> len(lines), "East Lindsey" in lines[0], "central-services line" in lines[-1]
    (9, True, True)
    """
    n = int(h["sr_period_years"])
    ob = ("without optimism bias" if not h["optimism_bias"] else
          "optimism bias at the Green Book lower bound, the reference class of shared-service partnerships being "
          "too thin to set it" if h.get("reference_class_is_green_book_lower") else
          f"{_ADJUSTMENT_WORDS[h['optimism_adjustment']]}")
    disc = discount_words(h["discount"] if h["discount"] == "green_book" else float(h["discount"]))
    return [
        f"In {count(h['draws'])} simulated futures for {h['council_name']} ({ob}), the programme pays "
        f"back within the {n}-year Spending Review period in {_p(h['p_payback_within_sr_period'])} of simulations "
        f"and never pays back within the horizon in {_p(h['p_never_pays_back'])} of simulations.",
        _first_year_line(h),
        f"The NPV of the programme's cash flow is {gbp_m(h['npv_p50_gbp_m'])} at the median (£m, 2010-11 prices, "
        f"{disc}). In nine simulations out of ten it lies between {gbp_m(h['npv_p5_gbp_m'])} and "
        f"{gbp_m(h['npv_p95_gbp_m'])}. It is negative in {_p(h['p_npv_negative'])} of simulations.",
        _adjustment_line(h),
        _correlation_line(h),
        f"The NPV is most sensitive to the {h['top_sensitivity_label']}: between its low and high cases it moves "
        f"from {gbp_m(h['top_sensitivity_npv_low_gbp_m'])} to {gbp_m(h['top_sensitivity_npv_high_gbp_m'])}, a "
        f"swing of {gbp_m(h['top_sensitivity_swing_gbp_m'])} (£m, 2010-11 prices).",
        f"Affordability, paid for by {financing_name(h['financing'])}: {financing_words(h)} The effect on the "
        f"budget and reserves has a median present value of {gbp_m(h['budget_effect_pv_p50_gbp_m'])} (£m, 2010-11 "
        "prices; for comparison with the NPV, not a ranking of ways to pay)."
        + arbitrage_words({**h, "npv_gbp_m": h["npv_p50_gbp_m"], "budget_effect_pv_gbp_m": h["budget_effect_pv_p50_gbp_m"]}),
        _penalty_line(h),
    ] + ([caveat] if (caveat := caveat_line(h)) else [])


_ADJUSTMENT_WORDS = {
    "reference_class": "optimism bias from the reference class of shared-service partnerships",
    "green_book_lower": "optimism bias at the Green Book lower bound",
    "green_book_upper": "optimism bias at the Green Book upper bound",
}


def _adjustment_line(h: Headlines) -> str:
    def case(c: str) -> str:
        return (f"in {_p(h[f'p_payback_within_sr_period_{c}'])} of simulations, median NPV "
                f"{gbp_m(h[f'npv_p50_gbp_m_{c}'])}")

    same = ("the default, which is the Green Book lower bound because the reference class of partnerships is too "
            "thin to set it" if h.get("reference_class_is_green_book_lower") else "the reference class, the default")
    return (f"Optimism bias: with {same}, the programme pays back within the Spending Review period "
            f"{case('reference_class')}; at the few pairs' own medians {case('reference_class_all_pairs')}; at the "
            f"Green Book upper bound {case('green_book_upper')}; and with none {case('without_ob')} (£m, 2010-11 "
            "prices; the same random draws in each).")


def _correlation_line(h: Headlines) -> str:
    return (f"Delay and cost overrun move together (correlation {h['delay_cost_correlation']:.1f}, a red suite "
            f"assumption): with no correlation the programme would pay back within the period in "
            f"{_p(h['p_payback_within_sr_period_rho_0'])} of simulations, and with "
            f"{h['delay_cost_correlation_rho_high']:.1f} in {_p(h['p_payback_within_sr_period_rho_high'])} of "
            f"simulations, against {_p(h['p_payback_within_sr_period'])} of simulations. A failed partnership costs "
            f"{h['exit_cost_ratio']:.2f} of a year's saving to leave.")


def _penalty_line(h: Headlines) -> str:
    """The front-loading penalty absorbed across the simulations, one percentage basis a sentence.

    Examples
    --------
    >>> _penalty_line({"penalty_absorbed_share_p50": 0.0, "penalty_absorbed_share_p5": 0.0,
    ...                "penalty_absorbed_share_p95": 0.0, "frontline_cut_persistence": 0.75})
    'Front-loading penalty: 75.0% of every front-line cut sticks when money returns. In at least nine simulations out of ten the programme absorbs none of the penalty.'
    """
    p50 = h["penalty_absorbed_share_p50"]
    if p50 is None:
        return "The cut path is no more front-loaded than an even path, so there is no front-loading penalty to absorb."
    p5, p95 = float(h["penalty_absorbed_share_p5"] or 0.0), float(h["penalty_absorbed_share_p95"] or 0.0)
    lead = (f"Front-loading penalty: {pct(h['frontline_cut_persistence'])} of every front-line cut sticks when money "
            "returns.")
    if max(abs(p5), abs(p95)) < 5e-4:
        return f"{lead} In at least nine simulations out of ten the programme absorbs none of the penalty."
    neg = (" A negative share means the savings spare an even path's cuts more than the front-loaded path's, "
           "which stuck before the savings came." if p5 < -5e-4 else "")
    return (f"{lead} At the median simulation the programme absorbs {pct(p50)} of the penalty. In nine simulations "
            f"out of ten it absorbs between {pct(p5)} of the penalty and {pct(p95)} of the penalty.{neg}")
