"""Headlines of ``30-payback-vs-cuts``: can shared services close a council's funding gap in time?

:func:`summarise` turns one :class:`~sharedservices.model.scenario.ScenarioResult` into the flat
headline mapping (money in £m, 2010-11 prices; shares as fractions with their basis in
the name); :func:`headlines` (registered) runs the scenario from the report's
parameters; :func:`finding_lines` writes the key findings from the headlines, so no
number is ever typed into the prose (numbers are written by :mod:`sharedservices.report.format`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from sharedservices.inputs import assumptions, data
from sharedservices.model import cited, cuts, national, reference_class, scenario
from sharedservices.report.findings import Headlines, register
from sharedservices.report.format import gbp_m, number, pct
from sharedservices.report.names import CORE_SPENDING
from sharedservices.report.scenarios import run_from_params

__all__ = ["STEM", "caveat_line", "data_caveats", "discount_words", "financing_words", "finding_lines",
           "headlines", "penalty_words", "summarise"]

STEM = "30-payback-vs-cuts"


def discount_words(discount: float | str) -> str:
    """How the NPV was discounted, in words.

    Examples
    --------
    >>> discount_words(0.0), discount_words("green_book")
    ('undiscounted', 'discounted at the Green Book declining schedule, 3.5% a year from 2010-11')
    """
    if discount == "green_book":
        rate = cited.green_book_schedule()[0]["rate"]
        return f"discounted at the Green Book declining schedule, {pct(rate)} a year from 2010-11"
    rate = float(discount)
    return "undiscounted" if rate == 0 else f"discounted at {pct(rate)} a year"


def _m(x: float | None) -> float | None:
    return None if x is None else float(x) / 1000.0


def _opt(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else x


def summarise(result: scenario.ScenarioResult) -> Headlines:
    """The headline values of one scenario (£m, 2010-11 prices; fractions; years 0..H).

    Keys: ``council``, ``council_name``, ``programme``, ``financing``, ``discount``,
    ``payback_year`` / ``payback_financial_year`` (None: never within the horizon),
    ``npv_gbp_m`` (the economic appraisal: programme cash flow, optimism bias applied,
    financing excluded), ``budget_effect_pv_gbp_m`` (present value of the effect on the
    council's revenue budget and reserves under the chosen financing, at the same rate:
    for comparison, never a ranking), the financing's terms (``partner_share``,
    ``partner_feasible``, ``partner_irr`` nominal a year (None: no partner, or none would
    sign), ``partner_best_irr`` (none would sign: its IRR on all the savings in its term),
    ``partner_npv_at_hurdle_gbp_m``, ``borrowed_gbp_m``,
    ``financing_cost_gbp_m`` beyond the one-off cost, ``financing_fallback``),
    ``frontline_cut_persistence`` and ``penalty_by_persistence_<none|default|full>_*``,
    ``one_off_cost_gbp_m``, ``funding_gap_year1_gbp_m``, ``net_savings_year1_gbp_m``,
    ``coverage_year1``, ``funding_gap_sr_end_gbp_m``, ``net_savings_sr_end_gbp_m``,
    ``coverage_sr_end`` (coverage None = "no gap"), ``best_coverage``,
    ``best_coverage_financial_year``, ``gap_closed_year`` / ``gap_closed_financial_year``
    (first year net savings cover the whole gap; None: never), ``closes_gap_in_sr_period``,
    the front-loading penalty with and without the programme (``_gbp_m``,
    ``_share_of_core_spending``), ``penalty_absorbed_gbp_m`` and
    ``penalty_absorbed_share`` (of the penalty without the programme; None if there is no
    penalty), the steady-state saving gross and net (``_gbp_m``, ``_share_of_tse``,
    ``_share_of_core_spending``), the NLGN benchmarks (``_share_of_tse``), usable reserves,
    the reserves draw, ``reserves_sufficient`` and ``reserves_exhausted_year`` /
    ``_financial_year`` (reserves meeting the programme and the residual gap).

    Examples
    --------
    >>> h = summarise(run_from_params({"council": "E2532", "horizon": 6}))
    >>> h["council_name"], h["coverage_year1"] is None or 0 <= h["coverage_year1"] <= 1
    ('East Lindsey', True)
    """
    m = result.metrics
    t = result.timing
    sr = min(cited.sr2010_period_years(), int(m["horizon"]))
    cov = t["coverage"].to_numpy(dtype=float)
    gap_ = t["funding_gap"].to_numpy(dtype=float)
    closed = np.flatnonzero((gap_ > 0) & (cov >= 1.0 - 1e-12))
    closed_year = int(closed[0]) if closed.size else None
    with_gap = np.flatnonzero(gap_ > 0)
    best = int(with_gap[np.nanargmax(cov[with_gap])]) if with_gap.size else None
    pen = m["front_loading_penalty_gbp_thousand"]
    pen_none = m["front_loading_penalty_no_programme_gbp_thousand"]
    absorbed = m["front_loading_penalty_absorbed_gbp_thousand"]
    ex = m["reserves_exhausted_year"]
    return {
        "council": m["council"],
        "council_name": data.short_name(m["council_name"]),  # as the title names it
        "programme": m["programme"],
        "financing": result.settings["financing"],
        "discount": str(result.settings["discount"]),
        "payback_year": m["payback_year"],
        "payback_financial_year": m["payback_financial_year"],
        "npv_gbp_m": _m(m["npv_gbp_thousand"]),
        "budget_effect_pv_gbp_m": _m(m["budget_effect_pv_gbp_thousand"]),
        "budget_payback_year": m["budget_payback_year"],
        "revenue_effect_year1_gbp_m": _m(m["revenue_effect_year1_gbp_thousand"]),
        "financing_cost_gbp_m": _m(m["financing_cost_gbp_thousand"]),
        "borrowed_gbp_m": _m(m["borrowed_gbp_thousand"]),
        "revenue_one_off_gbp_m": _m(m["revenue_one_off_gbp_thousand"]),
        "one_off_capital_share": m["one_off_capital_share"],
        "capitalisation_direction": bool(result.settings.get("capitalisation_direction", False)),
        "financing_fallback": m["financing_fallback"],
        "partner_share": m["partner_share"],
        "partner_feasible": m["partner_feasible"],
        "partner_irr": m["partner_irr"],
        "partner_best_irr": m["partner_best_irr"],
        "partner_npv_at_hurdle_gbp_m": _m(m["partner_npv_at_hurdle_gbp_thousand"]),
        "partner_hurdle_nominal": m["partner_hurdle_nominal"],
        "borrowing_rate_real": m["borrowing_rate_real"],
        "partner_term_years": m["partner_term_years"],
        "frontline_cut_persistence": m["frontline_cut_persistence"],
        "one_off_cost_gbp_m": _m(m["one_off_cost_gbp_thousand"]),
        "funding_gap_year1_gbp_m": _m(t["funding_gap"].iloc[1]),
        "net_savings_year1_gbp_m": _m(t["net_savings"].iloc[1]),
        "coverage_year1": _opt(m["coverage_year1"]),
        "full_run_coverage_year1": (None if not float(t["funding_gap"].iloc[1]) > 0 else
                                    float(m["steady_state_saving_gbp_thousand"]) / float(t["funding_gap"].iloc[1])),
        "sr_end_financial_year": cuts.fy_label(sr),
        "funding_gap_sr_end_gbp_m": _m(t["funding_gap"].iloc[sr]),
        "net_savings_sr_end_gbp_m": _m(t["net_savings"].iloc[sr]),
        "coverage_sr_end": _opt(float(cov[sr])),
        "best_coverage": None if best is None else float(cov[best]),
        "best_coverage_financial_year": None if best is None else cuts.fy_label(best),
        "gap_closed_year": closed_year,
        "gap_closed_financial_year": None if closed_year is None else cuts.fy_label(closed_year),
        "closes_gap_in_sr_period": closed_year is not None and closed_year <= sr,
        "cumulative_frontline_cuts_gbp_m": _m(m["cumulative_frontline_cuts_gbp_thousand"]),
        "cumulative_frontline_cuts_no_programme_gbp_m": _m(m["cumulative_frontline_cuts_no_programme_gbp_thousand"]),
        "front_loading_index": _opt(m["front_loading_index"]),
        "front_loading_penalty_gbp_m": _m(pen),
        "front_loading_penalty_share_of_core_spending": m["front_loading_penalty_share_of_core_spending"],
        "front_loading_penalty_no_programme_gbp_m": _m(pen_none),
        "front_loading_penalty_no_programme_share_of_core_spending":
            m["front_loading_penalty_no_programme_share_of_core_spending"],
        "penalty_absorbed_gbp_m": _m(absorbed),
        "penalty_absorbed_share": m["front_loading_penalty_absorbed_share"],
        **{f"penalty_by_persistence_{case}_{k.replace('gbp_thousand', 'gbp_m')}": (_m(v) if k.endswith("gbp_thousand") else v)
           for case, d in m["penalty_by_persistence"].items()
           for k, v in {"persistence": d["persistence"],
                        "no_programme_gbp_thousand": d["penalty_no_programme_gbp_thousand"],
                        "gbp_thousand": d["penalty_gbp_thousand"],
                        "absorbed_share": d["absorbed_share"]}.items()},
        "steady_state_saving_gbp_m": _m(m["steady_state_saving_gbp_thousand"]),
        "steady_state_saving_share_of_tse": m["steady_state_saving_share_of_tse"],
        "steady_state_saving_share_of_core_spending": m["steady_state_saving_share_of_core_spending"],
        "gross_steady_state_saving_gbp_m": _m(m["gross_steady_state_saving_gbp_thousand"]),
        "gross_steady_state_saving_share_of_tse": m["gross_steady_state_saving_share_of_tse"],
        "gross_steady_state_saving_share_of_core_spending": m["gross_steady_state_saving_share_of_core_spending"],
        "benchmark_realistic_share_of_tse": m["benchmark_back_office_realistic_share_of_tse"],
        "benchmark_best_case_share_of_tse": m["benchmark_back_office_best_case_share_of_tse"],
        "benchmark_ambitious_share_of_tse": m["benchmark_ambitious_target_share_of_tse"],
        "total_service_expenditure_gbp_m": _m(m["total_service_expenditure_gbp_thousand"]),
        "core_spending_gbp_m": _m(m["core_spending_gbp_thousand"]),
        "usable_reserves_gbp_m": _m(m["usable_reserves_gbp_thousand"]),
        "reserves_minimum_gbp_m": _m(m["reserves_minimum_gbp_thousand"]),
        "reserves_available_gbp_m": _m(m["reserves_available_gbp_thousand"]),
        "reserves_draw_gbp_m": _m(m["reserves_draw_gbp_thousand"]),
        "reserves_left_for_gap_gbp_m": _m(m["reserves_left_for_gap_gbp_thousand"]),
        "reserves_sufficient": m["reserves_sufficient"],
        "reserves_exhausted_year": ex,
        "reserves_exhausted_financial_year": None if ex is None else cuts.fy_label(int(ex)),
        "reserves_exhausted_financial_year_without_programme":
            None if m["reserves_exhausted_year_without_programme"] is None
            else cuts.fy_label(int(m["reserves_exhausted_year_without_programme"])),
        **data_caveats(m),
        **_own_path(result),
        **optimism_headlines(result),
        "penalty_absorbed_share_instant": _instant_share(result),
    }


def _instant_share(result: scenario.ScenarioResult) -> float | None:
    """The share of the penalty absorbed had every service saved at its full rate from the
    programme's start (no lead, no ramp): whether timing could matter at all."""
    prog = result.programme
    instant = replace(prog, services=tuple(replace(sv, lead_time_years=0.0, ramp_years=0.0) for sv in prog.services))
    return scenario.rerun(result, programme=instant).metrics["front_loading_penalty_absorbed_share"]


def optimism_headlines(result: scenario.ScenarioResult) -> Headlines:
    """The optimism-bias adjustment a scenario used, and the answer without it and at the
    Green Book upper bound (each a rerun of the same scenario).

    Keys: ``optimism_bias``, ``optimism_adjustment``, ``optimism_<component>`` (the
    fractions applied: ``one_off_cost``, ``duration``, ``delay_years``, ``running_cost``,
    ``savings_shortfall``), ``optimism_basis_<component>`` (how each was set), and for ``without``
    (no adjustment) and ``green_book_upper``: ``npv_<case>_gbp_m``,
    ``payback_financial_year_<case>``.
    """
    ob = result.optimism
    out: Headlines = {
        "optimism_bias": bool(result.settings.get("optimism_bias", False)),
        "optimism_adjustment": None if ob is None else ob.name,
        **{f"optimism_{c}": (None if ob is None else float(getattr(ob, c))) for c in reference_class.COMPONENTS},
        **{f"optimism_basis_{c}": (None if ob is None else ob.basis.get(c)) for c in reference_class.COMPONENTS},
    }
    up = cited.adjustment("green_book_upper")
    allp = cited.adjustment("reference_class_all_pairs")
    lower = cited.adjustment("green_book_lower")
    pairs = cited.reference_pairs()
    sav = pairs[pairs["quantity"] == "savings"]
    out["green_book_upper_one_off_cost"] = up.one_off_cost
    out["green_book_upper_duration"] = up.duration
    out["all_pairs_one_off_cost"] = allp.one_off_cost
    out["all_pairs_delay_years"] = allp.delay_years
    out["optimism_same_as_green_book_lower"] = bool(ob is not None and ob.name == "reference_class"
                                                    and reference_class.same_values(ob, lower))
    out["reference_class_minimum_cases"] = int(assumptions.value("reference_class.minimum_cases"))
    out.update({f"reference_class_pairs_{q}": int((pairs["quantity"] == q).sum()) for q in reference_class.QUANTITIES})
    out["reference_class_savings_median_ratio"] = float(sav["ratio"].median()) if len(sav) else None
    for case, kw in (("without", {"optimism_bias": False}),
                     ("green_book_upper", {"optimism_bias": True, "optimism_adjustment": "green_book_upper"}),
                     ("all_pairs", {"optimism_bias": True, "optimism_adjustment": "reference_class_all_pairs"})):
        r = scenario.rerun(result, **kw)
        out[f"npv_{case}_gbp_m"] = _m(r.metrics["npv_gbp_thousand"])
        out[f"payback_financial_year_{case}"] = r.metrics["payback_financial_year"]
    return out


def optimism_words(h: Headlines) -> str:
    """Which optimism-bias adjustment the answer uses, and what it would be without it.

    Examples
    --------
    >>> optimism_words({"optimism_bias": False, "npv_green_book_upper_gbp_m": 1.0,
    ...                 "payback_financial_year_green_book_upper": None, "green_book_upper_one_off_cost": 2.0,
    ...                 "green_book_upper_duration": 0.54})[:44]
    'Optimism bias: none applied (a sensitivity).'
    """
    def pb(y: Any) -> str:
        return "never pays back within the horizon" if y is None else f"pays back in {y}"

    upper = (f"at the Green Book upper bound (one-off costs +{pct(h['green_book_upper_one_off_cost'])}, "
             f"durations +{pct(h['green_book_upper_duration'])}) its NPV would be "
             f"{gbp_m(h['npv_green_book_upper_gbp_m'])} and it {pb(h['payback_financial_year_green_book_upper'])}")
    if not h["optimism_bias"]:
        return f"Optimism bias: none applied (a sensitivity). {upper[0].upper()}{upper[1:]} (£m, 2010-11 prices)."
    name = {"reference_class": "the reference-class adjustment (what shared-service partnerships planned and "
                                "delivered)",
            "reference_class_all_pairs": "the reference class's medians however few the pairs (a sensitivity)",
            "green_book_lower": "the Green Book lower bound",
            "green_book_upper": "the Green Book upper bound"}[h["optimism_adjustment"]]
    parts = (f"one-off costs +{pct(h['optimism_one_off_cost'])}, lead times and ramps "
             f"+{pct(h['optimism_duration'])}" + (f", {h['optimism_delay_years']:.2f} years' extra delay"
                                                      if h["optimism_delay_years"] else "")
             + f", running costs +{pct(h['optimism_running_cost'])}, savings "
             + (f"down {pct(h['optimism_savings_shortfall'])}" if h["optimism_savings_shortfall"]
                else "in full"))
    without = (f"Without any adjustment the NPV would be {gbp_m(h['npv_without_gbp_m'])} and the programme "
               f"{pb(h['payback_financial_year_without'])}")
    if h.get("optimism_same_as_green_book_lower"):
        return (f"Optimism bias: the Green Book lower bound ({parts}), because the reference class of shared-service "
                f"partnerships is too thin to set any of it: only {h['reference_class_pairs_one_off_cost']} programmes "
                f"publish a planned and an outturn one-off cost and {h['reference_class_pairs_schedule']} a planned and "
                f"an actual date (fewer than {h['reference_class_minimum_cases']}). The "
                f"{h['reference_class_pairs_savings']} self-reported savings outcomes (median "
                f"{pct(h['reference_class_savings_median_ratio'])} of plan) are not used to raise savings. Those few "
                f"pairs point higher: at their medians (one-off costs +{pct(h['all_pairs_one_off_cost'])}, "
                f"{h['all_pairs_delay_years']:.2f} years' delay) the NPV would be {gbp_m(h['npv_all_pairs_gbp_m'])} and "
                f"the programme {pb(h['payback_financial_year_all_pairs'])}. {without}; {upper} (£m, 2010-11 prices).")
    rest = "" if h["optimism_adjustment"] == "green_book_upper" else f"; {upper}"
    return f"Optimism bias: this report uses {name}: {parts}. {without}{rest} (£m, 2010-11 prices)."


_COMPONENT_WORDS = {"one_off_cost": "one-off costs", "duration": "durations", "delay_years": "delays",
                    "running_cost": "running costs", "savings_shortfall": "savings"}


def _own_path(result: scenario.ScenarioResult) -> Headlines:
    """The council's own like-for-like funding path over the SR period, for comparison with
    the path the report applies."""
    ci = result.council
    n = cited.sr2010_period_years()
    f = ci.actual_funding
    last = min(n, f.size - 1)
    idx = cuts.front_loading_index(f[0] - f[1 : last + 1]) if last >= 1 else None
    return {
        "cut_path": str(result.settings["cut_path"]),
        "path_front_loading_index": _opt(result.metrics["front_loading_index_sr_period"]),
        "own_front_loading_index": idx,
        "own_real_cut_share": float((f[0] - f[last]) / f[0]) if f[0] > 0 else None,
    }


#: Words for the data caveats a payback report carries.
_CAVEATS = {
    "back_office_above_best_case": "its back-office saving is above NLGN's best case",
    "central_negative": "its RS central-services line is negative in a year",
    "central_unstable": "its 2010-11 RS central-services line is far from its five-year base",
    "funding_comparison_weak": "its like-for-like funding comparison is weak (listed by the funding check)",
    "rates_pilot": "it piloted 100% rates retention in 2017-18",
}


def data_caveats(metrics: dict[str, Any]) -> Headlines:
    """The data caveats of one council's scenario, as headline values.

    Keys: ``back_office_gross_saving_share_of_tse`` (fraction of total service
    expenditure; None when the programme does not share the back office),
    ``back_office_above_best_case`` (above NLGN's 3.6 % best case, on the TSE basis),
    ``central_services_line`` (``negative``, ``unstable`` or ``stable``),
    ``funding_comparison_weak`` (the funding check lists the council for a year of the
    Spending Review period) and ``caveats`` (the flags in words, ``none`` if none).

    Examples
    --------
    >>> data_caveats(run_from_params({"council": "E2532"}).metrics)["central_services_line"]
    'unstable'
    """
    share = metrics.get("back_office_gross_saving_share_of_tse")
    best = metrics["benchmark_back_office_best_case_share_of_tse"]
    flags = list(metrics.get("central_services_flags") or [])
    weak = metrics["council"] in set(national.weak_comparisons()["ecode"])
    above = share is not None and share > best
    codes = ([*("back_office_above_best_case",) * above, *flags, *("funding_comparison_weak",) * weak]
             + (["rates_pilot"] if any(f.endswith(":rates_pilot") for f in metrics.get("funding_flags") or []) else []))
    line = "negative" if "central_negative" in flags else "unstable" if "central_unstable" in flags else "stable"
    return {
        "back_office_gross_saving_share_of_tse": share,
        "back_office_above_best_case": above,
        "central_services_line": line,
        "funding_comparison_weak": weak,
        "caveats": "; ".join(_CAVEATS[c] for c in codes) if codes else "none",
    }


def caveat_line(h: Headlines) -> str | None:
    """One key-findings line naming the council's data caveats, or None.

    Examples
    --------
    >>> caveat_line({"council_name": "X", "caveats": "none"}) is None
    True
    """
    if h.get("caveats") in (None, "none"):
        return None
    return (f"Read {h['council_name']}'s figures with care: {h['caveats']}. "
            "See the data log (data/README.md) for the checks behind each flag.")


@register(STEM)
def headlines(**params: Any) -> Headlines:
    """Headlines of ``30-payback-vs-cuts`` for its validated parameters.

    Examples
    --------
    >>> headlines(council="E2532", horizon=6)["council"]
    'E2532'
    """
    return summarise(run_from_params(params))


_PROGRAMME_WORDS = {
    "back_office": "back-office",
    "back_office_waste": "back-office and waste",
    "broad": "broad",
    "public_realm": "public-realm",
}


def _zero_or_gbp_m(x: float | None) -> str:
    """Money in £m, or "zero" where it rounds to nothing (no "£0.0m" in prose).

    >>> _zero_or_gbp_m(0.004), _zero_or_gbp_m(-1.26), _zero_or_gbp_m(None)
    ('zero', '−£1.3m', 'n/a')
    """
    return "zero" if x is not None and round(float(x), 1) == 0 else gbp_m(x)


def financing_words(h: Headlines) -> str:
    """The chosen financing and its terms, in words (one or two sentences).

    Examples
    --------
    >>> financing_words({"financing": "revenue", "financing_fallback": None})
    'the revenue budget bears the one-off cost in the year it falls.'
    """
    opt = h["financing"]
    fy = cuts.fy_label(1)
    if opt == "gain_share":
        if not h["partner_feasible"]:
            best = ("no return at all" if h.get("partner_best_irr") is None else
                    f"a return of {pct(h['partner_best_irr'])} a year")
            return (f"no partner requiring the cited hurdle of {pct(h['partner_hurdle_nominal'])} a year would finance "
                    f"this: even all of the gross savings for {h['partner_term_years']} years would give it {best} (its "
                    f"NPV at the hurdle: {gbp_m(h.get('partner_npv_at_hurdle_gbp_m'))}), so the one-off cost is shown "
                    "paid from reserves instead.")
        return (f"a private partner pays the one-off cost and takes {pct(h['partner_share'])} of gross savings for "
                f"{h['partner_term_years']} years. That share earns the partner its cited hurdle of "
                f"{pct(h['partner_hurdle_nominal'])} a year (so, by construction, its IRR is the hurdle and its NPV at "
                f"the hurdle {_zero_or_gbp_m(h.get('partner_npv_at_hurdle_gbp_m'))}).")
    if opt == "borrowing":
        rev = ("a capitalisation direction is assumed, so the revenue part is borrowed too"
               if h["capitalisation_direction"] else
               "the revenue part (redundancy, double running) cannot be borrowed without a capitalisation "
               "direction, so it comes from reserves, then the revenue budget")
        return (f"prudential borrowing of {gbp_m(h['borrowed_gbp_m'])} pays the capital part "
                f"({pct(h['one_off_capital_share'])} of the one-off cost); {rev}; interest and repayment cost "
                f"{gbp_m(h['financing_cost_gbp_m'])} beyond the sum borrowed.")
    if opt == "grant":
        return (f"an invest-to-save grant meets part of the one-off cost and reserves the rest; "
                f"{gbp_m(h['revenue_one_off_gbp_m'])} falls on the revenue budget in {fy}.")
    if opt == "reserves":
        rest = ("" if not h.get("revenue_one_off_gbp_m") else
                f"; the remaining {gbp_m(h['revenue_one_off_gbp_m'])} falls on the revenue budget in {fy}")
        return (f"{gbp_m(h['reserves_draw_gbp_m'])} of the one-off cost is drawn from usable reserves (earmarked as "
                f"well as unallocated), which are kept above the prudent minimum{rest}; a draw on reserves is the "
                "council's own money, a cost in the year it is made.")
    return "the revenue budget bears the one-off cost in the year it falls."


def arbitrage_words(h: Headlines) -> str:
    """Why a loan's budget effect can look better than the programme's own NPV: a sentence
    (with a leading space) or ``""``.

    Examples
    --------
    >>> arbitrage_words({"financing": "borrowing", "budget_effect_pv_gbp_m": 12.2, "npv_gbp_m": 12.1,
    ...                  "borrowing_rate_real": 0.0245, "financing_cost_gbp_m": 0.8})[:39]
    ' It is £0.1m above the NPV only because'
    >>> arbitrage_words({"financing": "reserves", "budget_effect_pv_gbp_m": 1.0, "npv_gbp_m": 1.0})
    ''
    """
    if h["financing"] != "borrowing" or h["budget_effect_pv_gbp_m"] <= h["npv_gbp_m"] + 5e-3:
        return ""
    diff = float(h["budget_effect_pv_gbp_m"]) - float(h["npv_gbp_m"])
    by = f"{gbp_m(diff)} above" if round(diff, 1) > 0 else "a little (less than £0.1m) above"
    return (f" It is {by} the NPV only because the PWLB's real rate, {pct(h['borrowing_rate_real'])} a year, is "
            "below the discount rate: a difference between two rates, not a saving, since the loan costs "
            f"{gbp_m(h['financing_cost_gbp_m'])} more than it lends (real, undiscounted).")


def full_run_words(h: Headlines) -> str:
    """Whether the first-year gap is a matter of timing or of size: what the programme's
    full-run net saving would cover of it had it arrived at once.

    Examples
    --------
    >>> full_run_words({"full_run_coverage_year1": 0.52})[:60]
    'Even at full run from the first day its net savings would co'
    >>> full_run_words({"full_run_coverage_year1": None})
    ''
    """
    x = h.get("full_run_coverage_year1")
    if x is None:
        return ""
    if x >= 1.0:
        return (f"At full run its net savings would cover {pct(x)} of that gap: the shortfall in the first year is "
                "one of timing.")
    return (f"Even at full run from the first day its net savings would cover only {pct(x)} of that gap: the "
            "shortfall in the first year is one of size as well as timing.")


def path_words(h: Headlines) -> str | None:
    """How the cut path the report applies compares with the council's own like-for-like
    funding (report 10), or None when the report uses the council's own path.

    Examples
    --------
    >>> path_words({"cut_path": "actual"}) is None
    True
    """
    if h.get("cut_path") == "actual" or h.get("own_real_cut_share") is None:
        return None
    own = h["own_front_loading_index"]
    index = "no net cut, so no index" if own is None else f"a front-loading index of {number(own, 2)}"
    path = ("the SR2010 plans' profile" if h["cut_path"] == "sr2010" else "a parametric profile")
    applied = h["path_front_loading_index"]
    applied_words = "no net cut" if applied is None else f"index {number(applied, 2)}"
    weak = (" (a weak comparison: see the caveat below)" if h.get("funding_comparison_weak") else "")
    return (f"This report applies {path} ({applied_words}) to {h['council_name']}'s 2010-11 funding; its own "
            f"like-for-like central funding fell {pct(h['own_real_cut_share'])} in real terms by "
            f"{cuts.fy_label(4)}, with {index}{weak} (report 10). The same report can be run on the council's own outturn "
            "path instead of the plans' profile.")


def penalty_words(h: Headlines) -> str:
    """The front-loading penalty with sticking cuts, and what it means, in words.

    Examples
    --------
    >>> penalty_words({"penalty_absorbed_share": None})
    'The cut path is no more front-loaded than an even path, so there is no front-loading penalty.'
    """
    share = h["penalty_absorbed_share"]
    if share is None:
        return "The cut path is no more front-loaded than an even path, so there is no front-loading penalty."
    p = h["frontline_cut_persistence"]
    base = (f"Front-loading penalty: against an even path with the same total cut, the front-loaded path costs "
            f"{gbp_m(h['front_loading_penalty_no_programme_gbp_m'])} more front-line cuts over the horizon without the "
            f"programme and {gbp_m(h['front_loading_penalty_gbp_m'])} with it (£m, 2010-11 prices), with {pct(p)} of "
            f"every front-line cut sticking when money returns. Shared services absorb "
            + ("none of the penalty." if round(share, 3) == 0 else f"{pct(share)} of the penalty."))
    none_ = h["penalty_by_persistence_none_absorbed_share"]
    full = h["penalty_by_persistence_full_absorbed_share"]
    if none_ is None or full is None:
        spread = ""
    elif round(none_, 3) == 0 and round(full, 3) == 0:
        spread = " Nor would they with every cut restored, or with none."
    else:
        spread = (f" With every cut restored they would absorb {pct(none_)} of the penalty; with none restored, "
                  f"{pct(full)} of the penalty.")
    if abs(share) < 5e-4:
        why = (" Funding stays down while demand grows, so every cut that sticks would have been needed anyway. The "
               "savings are too small to close even the even path's gap, so they lower both paths' cuts alike and "
               "leave the penalty where it was.")
        inst = h.get("penalty_absorbed_share_instant")
        if inst is not None:
            why += (" Even savings at their full rate from the first year would absorb none of it: the programme is "
                    "too small for the penalty, whatever its timing." if abs(inst) < 5e-4 else
                    f" Savings at their full rate from the first year would absorb {pct(inst)} of the penalty: "
                    "these come too late.")
    elif share < 0:
        why = (" The savings arrive after the deep first-year cut has been made and has stuck, and they spare the even "
               "path's later cuts instead: against front-loaded cuts a programme that pays back slowly protects less, "
               "as NLGN argued.")
    else:
        why = (" Savings that arrive while the front-loaded path makes its deepest cuts keep some of those cuts from "
               "being made, or from sticking.")
    return base + spread + why


def timing_title(h: Headlines) -> str:
    """Title of the timing chart: what net savings cover of the first year's gap and of the
    last Spending Review year's (one basis a sentence).

    Examples
    --------
    >>> timing_title({"council_name": "Bristol", "coverage_year1": 0.0, "coverage_sr_end": 0.105,
    ...               "sr_end_financial_year": "2014-15"})
    "Bristol: net savings cover 0.0% of the 2011-12 funding gap. By 2014-15 they cover 10.5% of that year's funding gap"
    >>> timing_title({"council_name": "X", "coverage_year1": None, "coverage_sr_end": None,
    ...               "sr_end_financial_year": "2014-15"})
    'X: there is no funding gap in 2011-12 or 2014-15 on this path'
    """
    name, fy1, sr_end = h["council_name"], cuts.fy_label(1), h["sr_end_financial_year"]
    c1, c = h["coverage_year1"], h["coverage_sr_end"]
    if c1 is None and c is None:
        return f"{name}: there is no funding gap in {fy1} or {sr_end} on this path"
    first = (f"{name}: there is no funding gap in {fy1}" if c1 is None else
             f"{name}: net savings cover {pct(c1)} of the {fy1} funding gap")
    then = (f"there is none in {sr_end}" if c is None else
            f"By {sr_end} they cover {pct(c)} of that year's funding gap")
    return f"{first}. {then[0].upper()}{then[1:]}"


def finding_lines(h: Headlines) -> list[str]:
    """The key findings of the report, written from the headlines (most important first).

    Examples
    --------
    >>> lines = finding_lines(headlines(council="E2532"))
    >>> lines[0].startswith(("No:", "Yes:", "There is no gap"))
    True
    """
    name, prog = h["council_name"], _PROGRAMME_WORDS.get(str(h["programme"]), str(h["programme"]))
    sr_end = h["sr_end_financial_year"]
    if h["best_coverage"] is None:
        verdict = (f"There is no gap to close: {name}'s funding does not fall below its 2010-11 "
                   "level plus demand growth on this path.")
    elif h["closes_gap_in_sr_period"]:
        verdict = (f"Yes: from {h['gap_closed_financial_year']} the {prog} programme's net savings cover "
                   f"{name}'s whole funding gap; by {sr_end} they cover {pct(h['coverage_sr_end'])} of a "
                   f"{gbp_m(h['funding_gap_sr_end_gbp_m'])} gap (£m, 2010-11 prices).")
    else:
        later = ("and they never cover the whole gap within the horizon"
                 if h["gap_closed_year"] is None else
                 f"and they cover the whole gap only from {h['gap_closed_financial_year']}")
        if h["coverage_sr_end"] is not None and h["coverage_sr_end"] < 0:
            so_far = (f" is still a net cost after financing costs, equal to {pct(-h['coverage_sr_end'])} of "
                      f"{name}'s {gbp_m(h['funding_gap_sr_end_gbp_m'])} funding gap (£m, 2010-11 prices), "
                      f"{later.replace('they', 'its net savings', 1)}")
        else:
            so_far = (f"'s net savings cover {pct(h['coverage_sr_end'])} of {name}'s "
                      f"{gbp_m(h['funding_gap_sr_end_gbp_m'])} funding gap (£m, 2010-11 prices), {later}")
        verdict = (f"No: by {sr_end}, the last Spending Review year, the {prog} programme{so_far}. Its best year "
                   f"is {h['best_coverage_financial_year']}, when its net savings cover {pct(h['best_coverage'])} of "
                   "that year's funding gap.")
    if h["coverage_year1"] is None:
        first = (f"In {cuts.fy_label(1)} there is no funding gap on this path; the one-off cost of "
                 f"{gbp_m(h['one_off_cost_gbp_m'])} falls due (£m, 2010-11 prices).")
    else:
        net1 = h["net_savings_year1_gbp_m"]
        savings = ("there are no net savings after financing yet" if round(float(net1), 1) == 0 else
                   f"net savings after financing are {gbp_m(net1)}, covering {pct(h['coverage_year1'])} of the gap")
        first = (f"In {cuts.fy_label(1)}, the first year of the cuts, the gap is {gbp_m(h['funding_gap_year1_gbp_m'])} "
                 f"and {savings}, while the one-off cost of {gbp_m(h['one_off_cost_gbp_m'])} falls due "
                 f"(£m, 2010-11 prices). {full_run_words(h)}")
    pb = ("never pays back within the horizon" if h["payback_year"] is None else
          f"pays back in {h['payback_financial_year']} (year {h['payback_year']})")
    disc = discount_words(h["discount"] if h["discount"] == "green_book" else float(h["discount"]))
    payback = (f"Appraisal (the programme's own cash flows, optimism bias applied, financing left out): the "
               f"programme {pb}; its NPV is {gbp_m(h['npv_gbp_m'])} (£m, 2010-11 prices, {disc}).")
    afford = (f"Affordability: {financing_words(h)} The present value of the effect on the council's budget and "
              f"reserves is {gbp_m(h['budget_effect_pv_gbp_m'])}, shown for comparison with the NPV, not to rank ways "
              f"of paying (£m, 2010-11 prices).{arbitrage_words(h)}")
    penalty = penalty_words(h)
    tse = "of total service expenditure"
    nlgn = (f"NLGN's {pct(h['benchmark_realistic_share_of_tse'])} {tse} (realistic) and "
            f"{pct(h['benchmark_best_case_share_of_tse'])} {tse} (best case) for the back office")
    claim = (f"{pct(h['benchmark_ambitious_share_of_tse'])} {tse} (the suite's reading of NLGN's claim of "
             "savings close to a tenth of total budgets)")
    back = h.get("back_office_gross_saving_share_of_tse")
    if h["programme"] == "back_office" or back is None:
        against = f"against {nlgn}, and {claim}."
    else:
        against = (f"against {claim}. Its back-office part saves {pct(back)} {tse}, against {nlgn}.")
    # one percentage basis per sentence: total service expenditure (NLGN's basis), then core spending
    scale = (f"At full run the programme saves {gbp_m(h['gross_steady_state_saving_gbp_m'])} a year gross (£m a year, "
             f"2010-11 prices), {pct(h['gross_steady_state_saving_share_of_tse'])} {tse}, {against} Net of running "
             f"costs it saves {gbp_m(h['steady_state_saving_gbp_m'])} a year; on the narrower basis of core spending "
             f"({CORE_SPENDING}) that is "
             f"{pct(h['steady_state_saving_share_of_core_spending'])} of core spending.")
    exhausted = ("would last the horizon" if h["reserves_exhausted_year"] is None else
                 f"would run out in {h['reserves_exhausted_financial_year']}")
    without = ("would last the horizon" if h["reserves_exhausted_financial_year_without_programme"] is None
               else f"in {h['reserves_exhausted_financial_year_without_programme']}")
    draw = h["reserves_draw_gbp_m"]
    draw_words = ("the programme draws nothing from reserves" if round(draw, 1) == 0 else
                  f"the programme draws {gbp_m(draw)}, which is then not there for the gap")
    reserves = (f"Reserves: of {gbp_m(h['usable_reserves_gbp_m'])} usable in 2010-11 (earmarked and unallocated), "
                f"{gbp_m(h['reserves_minimum_gbp_m'])} is kept back as a prudent minimum, so what the programme may use "
                f"can include money earmarked for other purposes; {draw_words}. Used for the front-line gap as well, the rest {exhausted} (without the programme: "
                f"{without}) (£m, 2010-11 prices).")
    caveat = caveat_line(h)
    own = path_words(h)
    return ([verdict, first] + ([own] if own else []) + [payback, optimism_words(h), afford, penalty, scale,
                                                            reserves]
            + ([caveat] if caveat else []))
