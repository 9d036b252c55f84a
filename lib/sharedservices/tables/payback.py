"""Tables of the payback report (30): one scenario's timing, penalty, savings, financing, reserves.

Pure functions: a scenario result, its timing table or its headlines in, a DataFrame
out, no I/O.  Money is £m in 2010-11 prices (``_gbp_m``); percentages say their basis in
the column name (``pct_of_tse``: total service expenditure; ``pct_of_core_spending``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sharedservices import assumptions, cuts, financing

__all__ = [
    "financing_best_worst",
    "financing_options",
    "front_loading_penalty_table",
    "payback_timing",
    "red_assumptions",
    "reserves_check",
    "savings_benchmarks",
    "scenario_assumption_keys",
    "scenario_settings",
]

_TIMING = {
    "central_funding": "central_funding_gbp_m",
    "funding_gap": "funding_gap_gbp_m",
    "gross_savings": "gross_savings_gbp_m",
    "running_costs": "running_costs_gbp_m",
    "one_off_costs": "one_off_costs_gbp_m",
    "financing": "financing_gbp_m",
    "net_savings": "net_savings_gbp_m",
    "frontline_cuts": "residual_frontline_cuts_gbp_m",
    "reserves_draw": "reserves_draw_gbp_m",
}


def _pct(x: Any) -> float:
    return np.nan if x is None else 100.0 * float(x)


def payback_timing(timing: pd.DataFrame) -> pd.DataFrame:
    """The year-by-year timing table in £m (2010-11 prices) with coverage as text.

    Parameters
    ----------
    timing : pandas.DataFrame
        ``ScenarioResult.timing`` (£ thousand, 2010-11 prices, index year 0..H).

    Returns
    -------
    pandas.DataFrame
        Index ``year``; ``financial_year``, the money columns renamed ``..._gbp_m``
        (``frontline_cuts`` becomes ``residual_frontline_cuts_gbp_m``),
        ``cumulative_cash_flow_gbp_m`` (programme cash flow before financing, summed),
        ``coverage_pct`` (net savings as % of the funding gap, NaN where there is no gap)
        and ``coverage`` (the same as text, "no gap" where there is none).

    Examples
    --------
    >>> t = pd.DataFrame({"financial_year": ["2010-11", "2011-12"], "central_funding": [100.0, 90.0],
    ...                   "funding_gap": [0.0, 10000.0], "gross_savings": [0.0, 0.0],
    ...                   "running_costs": [0.0, 0.0], "one_off_costs": [0.0, 500.0],
    ...                   "programme_cash_flow": [0.0, -500.0], "financing": [0.0, 500.0],
    ...                   "net_savings": [0.0, 2500.0], "frontline_cuts": [0.0, 7500.0],
    ...                   "reserves_draw": [0.0, 500.0], "coverage": [np.nan, 0.25]})
    >>> payback_timing(t)[["funding_gap_gbp_m", "coverage"]].values.tolist()
    [[0.0, 'no gap'], [10.0, '25.0%']]
    """
    out = pd.DataFrame(index=timing.index.copy())
    out.index.name = "year"
    out["financial_year"] = timing["financial_year"].astype(str).to_numpy()
    for col, name in _TIMING.items():
        out[name] = timing[col].to_numpy(dtype=float) / 1000.0
    out["cumulative_cash_flow_gbp_m"] = np.cumsum(timing["programme_cash_flow"].to_numpy(dtype=float)) / 1000.0
    cov = timing["coverage"].to_numpy(dtype=float)
    out["coverage_pct"] = 100.0 * cov
    out["coverage"] = ["no gap" if np.isnan(c) else f"{100 * c:.1f}%" for c in cov]
    return out


def front_loading_penalty_table(h: Mapping[str, Any]) -> pd.DataFrame:
    """The front-loading penalty with and without the programme, and what sharing absorbs.

    Parameters
    ----------
    h : mapping
        Headlines of :func:`sharedservices.findings.nb30_payback_vs_cuts.summarise`.

    Returns
    -------
    pandas.DataFrame
        Index ``case`` ("without the programme", "with the programme", "absorbed by shared
        services"); ``front_loading_penalty_gbp_m`` (extra front-line cuts over the horizon
        against an even path with the same total cut, £m, 2010-11 prices) and
        ``pct_of_core_spending`` (of 2010-11 core spending).

    Examples
    --------
    >>> h = {"front_loading_penalty_no_programme_gbp_m": 10.0, "front_loading_penalty_gbp_m": 6.0,
    ...      "penalty_absorbed_gbp_m": 4.0, "core_spending_gbp_m": 200.0}
    >>> front_loading_penalty_table(h)["pct_of_core_spending"].tolist()
    [5.0, 3.0, 2.0]
    """
    vals = [h["front_loading_penalty_no_programme_gbp_m"], h["front_loading_penalty_gbp_m"],
            h["penalty_absorbed_gbp_m"]]
    core = float(h["core_spending_gbp_m"])
    return pd.DataFrame(
        {
            "front_loading_penalty_gbp_m": [float(v) for v in vals],
            "pct_of_core_spending": [100.0 * float(v) / core if core > 0 else np.nan for v in vals],
        },
        index=pd.Index(["without the programme", "with the programme", "absorbed by shared services"],
                       name="case"),
    )


def savings_benchmarks(h: Mapping[str, Any]) -> pd.DataFrame:
    """The steady-state saving against NLGN's 1.8 % / 3.6 % and "close to 10 %".

    Returns
    -------
    pandas.DataFrame
        Index ``measure``; ``gbp_m`` (a year, 2010-11 prices), ``pct_of_tse`` (of total
        service expenditure, the basis of the NLGN figures) and ``pct_of_core_spending``.
        The benchmarks' £m are what the share would be for this council.

    Examples
    --------
    >>> h = {"gross_steady_state_saving_gbp_m": 2.0, "gross_steady_state_saving_share_of_tse": 0.02,
    ...      "gross_steady_state_saving_share_of_core_spending": 0.04, "steady_state_saving_gbp_m": 1.5,
    ...      "steady_state_saving_share_of_tse": 0.015, "steady_state_saving_share_of_core_spending": 0.03,
    ...      "benchmark_realistic_share_of_tse": 0.018, "benchmark_best_case_share_of_tse": 0.036,
    ...      "benchmark_ambitious_share_of_tse": 0.1, "total_service_expenditure_gbp_m": 100.0,
    ...      "core_spending_gbp_m": 50.0}
    >>> savings_benchmarks(h).loc["NLGN realistic (back office)", ["gbp_m", "pct_of_core_spending"]].tolist()
    [1.8, 3.6]
    """
    tse, core = float(h["total_service_expenditure_gbp_m"]), float(h["core_spending_gbp_m"])
    rows = {
        "this programme, gross (before running costs)": (
            h["gross_steady_state_saving_gbp_m"], h["gross_steady_state_saving_share_of_tse"]),
        "this programme, net of running costs": (
            h["steady_state_saving_gbp_m"], h["steady_state_saving_share_of_tse"]),
    }
    for label, key in (("NLGN realistic (back office)", "benchmark_realistic_share_of_tse"),
                       ("NLGN best case (back office)", "benchmark_best_case_share_of_tse"),
                       ('"close to 10%" claim', "benchmark_ambitious_share_of_tse")):
        rows[label] = (float(h[key]) * tse, h[key])
    return pd.DataFrame(
        {
            "gbp_m": [float(v[0]) for v in rows.values()],
            "pct_of_tse": [_pct(v[1]) for v in rows.values()],
            "pct_of_core_spending": [100.0 * float(v[0]) / core if core > 0 else np.nan for v in rows.values()],
        },
        index=pd.Index(list(rows), name="measure"),
    )


def financing_options(result: Any, terms: financing.FinancingTerms | None = None) -> pd.DataFrame:
    """The financing options side by side for one scenario (£m, 2010-11 prices).

    Parameters
    ----------
    result : ScenarioResult
        From :func:`sharedservices.scenario.run_from_params` (any financing option: the
        programme's own cash flows are the same under each).
    terms : FinancingTerms, optional
        Default: the cited terms (``financing.terms_from_assumptions()``).

    Returns
    -------
    pandas.DataFrame
        Index ``option``; ``budget_npv_gbp_m`` (NPV of the budget effect after financing,
        discounted as the scenario), ``budget_payback_year`` (None: never),
        ``year1_budget_effect_gbp_m``, ``financing_cost_gbp_m`` (interest or the
        partner's share beyond the one-off cost, undiscounted), ``reserves_draw_gbp_m``,
        ``reserves_sufficient`` and ``chosen`` (the scenario's own option).
    """
    a = result.arrays
    tab = financing.compare_financing(
        a.one_off_costs, a.gross_savings, a.running_costs, int(result.settings["start_year"]),
        terms if terms is not None else financing.terms_from_assumptions(),
        usable=float(result.metrics["usable_reserves_gbp_thousand"]), rate=result.settings["discount"],
    ).set_index("option")
    out = pd.DataFrame(index=tab.index)
    out["budget_npv_gbp_m"] = tab["budget_npv_gbp_thousand"] / 1000.0
    out["budget_payback_year"] = tab["budget_payback_year"].astype(object)
    out["year1_budget_effect_gbp_m"] = tab["year1_budget_effect_gbp_thousand"] / 1000.0
    out["financing_cost_gbp_m"] = tab["financing_cost_gbp_thousand"] / 1000.0
    out["reserves_draw_gbp_m"] = tab["reserves_draw_gbp_thousand"] / 1000.0
    out["reserves_sufficient"] = tab["reserves_sufficient"]
    out["chosen"] = out.index == result.settings["financing"]
    return out


def financing_best_worst(options: pd.DataFrame, tolerance_gbp_m: float = 0.05) -> dict[str, Any]:
    """The financing options with the highest and lowest budget NPV, ties named together.

    Options within ``tolerance_gbp_m`` of the best (or worst) count as tied (the default
    is half the £0.1m shown).

    Returns
    -------
    dict
        ``best`` and ``worst`` (option names in words, "a and b" for ties),
        ``best_gbp_m`` and ``worst_gbp_m`` (£m, 2010-11 prices).

    Examples
    --------
    >>> o = pd.DataFrame({"budget_npv_gbp_m": [38.8, 38.8, 15.0]},
    ...                  index=pd.Index(["reserves", "grant", "gain_share"], name="option"))
    >>> financing_best_worst(o)["best"], financing_best_worst(o)["worst"]
    ('reserves and grant', 'gain share')
    """
    v = options["budget_npv_gbp_m"].astype(float)

    def names(mask: pd.Series) -> str:
        words = [str(i).replace("_", " ") for i in v.index[mask.to_numpy()]]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    return {
        "best": names(v >= v.max() - tolerance_gbp_m),
        "best_gbp_m": float(v.max()),
        "worst": names(v <= v.min() + tolerance_gbp_m),
        "worst_gbp_m": float(v.min()),
    }


def reserves_check(h: Mapping[str, Any]) -> pd.DataFrame:
    """Usable reserves against the programme's draw and the year they would run out.

    Returns
    -------
    pandas.DataFrame
        Columns ``item`` and ``value`` (text, money in £m, 2010-11 prices).

    Examples
    --------
    >>> h = {"usable_reserves_gbp_m": 19.1, "reserves_draw_gbp_m": 1.8, "reserves_sufficient": True,
    ...      "reserves_exhausted_financial_year": None}
    >>> reserves_check(h)["value"].tolist()
    ['£19.1m', '£1.8m', 'yes', 'not within the horizon']
    """
    ex = h["reserves_exhausted_financial_year"]
    return pd.DataFrame(
        {
            "item": [
                "usable reserves, 2010-11 (earmarked + unallocated; £m, 2010-11 prices)",
                "drawn by the programme's financing (£m, 2010-11 prices)",
                "reserves cover the programme's draw",
                "reserves run out if they also meet the residual gap",
            ],
            "value": [
                f"£{float(h['usable_reserves_gbp_m']):,.1f}m",
                f"£{float(h['reserves_draw_gbp_m']):,.1f}m",
                "yes" if h["reserves_sufficient"] else "no",
                "not within the horizon" if ex is None else str(ex),
            ],
        }
    )


_SERVICE_FIELDS = ("savings_rate", "addressable_share", "one_off_cost_ratio", "lead_time_years",
                   "ramp_years", "running_cost_ratio")
_FINANCING_KEYS = {
    "reserves": ("financing.reserves_minimum_share",),
    "borrowing": ("financing.pwlb_rate_nominal", "financing.inflation_assumption",
                  "financing.borrowing_term_years"),
    "gain_share": ("financing.gain_share_partner_share", "financing.gain_share_term_years"),
    "grant": ("financing.invest_to_save_grant_share",),
    "revenue": (),
}


def scenario_assumption_keys(settings: Mapping[str, Any], *, spreads: bool = False) -> list[str]:
    """The ``data/assumptions`` keys a scenario rests on, in reading order.

    Parameters
    ----------
    settings : mapping
        ``ScenarioResult.settings`` (``programme``, ``services``, ``financing``,
        ``discount``, ``optimism_bias``, ``cut_path``).
    spreads : bool
        Add the Monte Carlo spreads (``programmes.spread.*``).

    Examples
    --------
    >>> keys = scenario_assumption_keys({"programme": "back_office", "services": ["central"],
    ...     "financing": "revenue", "discount": 0.0, "optimism_bias": False, "cut_path": "actual"})
    >>> keys[:3]
    ['programmes.preset.back_office', 'programmes.service.central.savings_rate', 'programmes.service.central.addressable_share']
    """
    keys = [f"programmes.preset.{settings['programme']}"]
    keys += [f"programmes.service.{s}.{f}" for s in settings["services"] for f in _SERVICE_FIELDS]
    keys += ["programmes.back_office_overhead_share", "programmes.partnership.annual_failure_probability"]
    if spreads:
        keys += [f"programmes.spread.{k}" for k in ("savings_rate", "one_off_cost", "delay_years", "ramp_years")]
    if settings["cut_path"] != "actual":
        keys += ["sr2010.real_terms_cut", "sr2010.lg_resource_del_cash_gbp_bn"]
    keys += ["sr2010.period_years", "prices.gdp_deflator", "demand.adult_social_care_real_growth",
             "demand.childrens_social_care_real_growth"]
    if settings["discount"] == "green_book":
        keys.append("discounting.green_book_schedule")
    keys += list(_FINANCING_KEYS.get(str(settings["financing"]), ()))
    if settings["optimism_bias"]:
        keys += ["optimism_bias.shared_services_category", "optimism_bias.shared_services_opex_category",
                 "optimism_bias.table"]
    keys += ["savings_evidence.back_office_realistic", "savings_evidence.back_office_best_case",
             "savings_evidence.ambitious_target"]
    return list(dict.fromkeys(keys))


def red_assumptions(keys: Iterable[str]) -> pd.DataFrame:
    """The red-rated assumptions among ``keys``, each with its one-line citation.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` and ``citation`` (:func:`sharedservices.assumptions.citation`).

    Examples
    --------
    >>> red_assumptions(["sr2010.real_terms_cut"]).empty
    True
    """
    keys = list(keys)
    tab = assumptions.table(keys)
    red = [k for k, q in zip(tab["key"], tab["quality"], strict=True) if q == "red"]
    return pd.DataFrame({"key": red, "citation": [assumptions.citation(k) for k in red]},
                        columns=["key", "citation"])


def scenario_settings(settings: Mapping[str, Any], council_name: str) -> pd.DataFrame:
    """The scenario as run, in words: one row per setting (``setting``, ``value`` as text).

    Parameters
    ----------
    settings : mapping
        ``ScenarioResult.settings``.
    council_name : str

    Examples
    --------
    >>> s = {"council": "E2532", "programme": "back_office", "services": ["central"], "financing": "reserves",
    ...      "cut_path": "sr2010", "cut_years": 4, "horizon": 10, "discount": 0.0, "savings_multiplier": 1.0,
    ...      "one_off_cost_multiplier": 1.0, "delay_years": 0.0, "ramp_multiplier": 1.0,
    ...      "optimism_bias": True, "optimism_bias_uplifts": {"one_off_cost": 0.5, "duration": 0.2,
    ...      "running_cost": 0.1}, "start_year": 1}
    >>> scenario_settings(s, "East Lindsey").set_index("setting").loc["discount", "value"]
    'none (undiscounted)'
    """
    up = settings.get("optimism_bias_uplifts", {})
    path = str(settings["cut_path"])
    if path == "parametric":
        path += (f" (total real cut {100 * float(settings['total_cut']):.1f}% of 2010-11 funding, "
                 f"front-loading index {float(settings['front_loading']):.2f})")
    disc = settings["discount"]
    rows = [
        ("council", f"{council_name} ({settings['council']})"),
        ("programme", f"{settings['programme']}: {', '.join(settings['services'])}"),
        ("programme starts", cuts.fy_label(int(settings.get("start_year", 1)))),
        ("financing of the one-off cost", str(settings["financing"])),
        ("cut path", path),
        ("cut years (even-path comparison)", str(settings["cut_years"])),
        ("horizon", f"{cuts.fy_label(0)} to {cuts.fy_label(int(settings['horizon']))}"),
        ("discount", "Green Book declining schedule" if disc == "green_book"
         else ("none (undiscounted)" if float(disc) == 0 else f"{100 * float(disc):.1f}% a year")),
        ("savings rates", f"{float(settings['savings_multiplier']):g} x cited"),
        ("one-off costs", f"{float(settings['one_off_cost_multiplier']):g} x cited"),
        ("extra delay", f"{float(settings['delay_years']):g} years"),
        ("ramp-up durations", f"{float(settings.get('ramp_multiplier', 1.0)):g} x cited"),
        ("optimism bias", "applied: one-off cost +{:.0f}%, durations +{:.0f}%, running cost +{:.0f}%".format(
            100 * up.get("one_off_cost", 0.0), 100 * up.get("duration", 0.0), 100 * up.get("running_cost", 0.0))
         if settings["optimism_bias"] else "not applied"),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])
