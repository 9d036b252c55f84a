"""Tables of the payback report (30): one scenario's timing, penalty, savings, financing, reserves.

Pure functions: a scenario result, its timing table or its headlines in, a DataFrame
out, no I/O.  Money is £m in 2010-11 prices (``_gbp_m``); percentages say their basis in
the column name (``pct_of_tse``: total service expenditure; ``pct_of_core_spending``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from sharedservices.inputs import assumptions
from sharedservices.model import cited, cuts, financing
from sharedservices.report import format as fmt
from sharedservices.report import names

__all__ = [
    "affordability",
    "financing_options",
    "penalty_by_persistence",
    "price_index",
    "revenue_effect_by_option",
    "front_loading_penalty_table",
    "payback_timing",
    "red_assumptions",
    "reserves_check",
    "savings_benchmarks",
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
    out["coverage"] = [fmt.pct(None if np.isnan(c) else float(c)) for c in cov]
    return out


def front_loading_penalty_table(h: Mapping[str, Any]) -> pd.DataFrame:
    """The front-loading penalty with and without the programme, and what sharing absorbs.

    Parameters
    ----------
    h : mapping
        Headlines of :func:`sharedservices.report.findings.nb30_payback_vs_cuts.summarise`.

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
                       ('NLGN\'s "close to 10%", read as a share of total service expenditure', "benchmark_ambitious_share_of_tse")):
        rows[label] = (float(h[key]) * tse, h[key])
    return pd.DataFrame(
        {
            "gbp_m": [float(v[0]) for v in rows.values()],
            "pct_of_tse": [_pct(v[1]) for v in rows.values()],
            "pct_of_core_spending": [100.0 * float(v[0]) / core if core > 0 else np.nan for v in rows.values()],
        },
        index=pd.Index(list(rows), name="measure"),
    )


def financing_options(result: Any) -> pd.DataFrame:
    """The financing options side by side for one scenario: what each does to the budget.

    Options are listed in a fixed order, never ranked: the present value of the budget
    effect is shown for comparison with the programme's NPV only (a loan cheaper than the
    discount rate, a grant or a partner's money raise it without making the programme
    better value).

    Parameters
    ----------
    result : ScenarioResult
        From :func:`sharedservices.model.scenario.run_scenario` (any financing option: the
        programme's own cash flows are the same under each).

    Returns
    -------
    pandas.DataFrame
        Index ``option``; ``available`` (False: no partner would sign),
        ``revenue_effect_first_year_gbp_m`` (the revenue budget in the programme's first
        year), ``revenue_effect_first_positive_year`` (financial year; None: never),
        ``reserves_draw_gbp_m``, ``borrowed_gbp_m``, ``financing_cost_gbp_m`` (paid beyond
        the one-off cost, undiscounted), ``budget_effect_pv_gbp_m`` and ``chosen``.
    """
    a = result.arrays
    m = result.metrics
    terms = replace(cited.financing_terms(),
                    capitalisation_direction=bool(result.settings.get("capitalisation_direction", False)))
    tab = financing.compare_financing(
        a.one_off_costs, a.gross_savings, a.running_costs, int(result.settings["start_year"]), terms,
        capital_share=float(m["one_off_capital_share"]),
        reserves_available=float(m["reserves_available_gbp_thousand"]), rate=result.rate,
    ).set_index("option")
    out = pd.DataFrame(index=tab.index)
    out["available"] = tab["available"]
    out["revenue_effect_first_year_gbp_m"] = tab["revenue_effect_year1_gbp_thousand"] / 1000.0
    out["revenue_effect_first_positive_year"] = [
        None if pd.isna(y) else cuts.fy_label(int(y)) for y in tab["revenue_effect_first_positive_year"]]
    out["reserves_draw_gbp_m"] = tab["reserves_draw_gbp_thousand"] / 1000.0
    out["borrowed_gbp_m"] = tab["borrowed_gbp_thousand"] / 1000.0
    out["financing_cost_gbp_m"] = tab["financing_cost_gbp_thousand"] / 1000.0
    out["budget_effect_pv_gbp_m"] = tab["budget_effect_pv_gbp_thousand"] / 1000.0
    out["chosen"] = out.index == result.settings["financing"]
    return out


def revenue_effect_by_option(result: Any) -> pd.DataFrame:
    """The programme's effect on the revenue budget year by year under each financing
    option (net savings, £m a year, 2010-11 prices), for the affordability chart.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; ``financial_year`` and one column per option (an option no partner
        would sign is left out).
    """
    a = result.arrays
    m = result.metrics
    terms = replace(cited.financing_terms(),
                    capitalisation_direction=bool(result.settings.get("capitalisation_direction", False)))
    cash = a.gross_savings - a.running_costs - a.one_off_costs
    out = pd.DataFrame({"financial_year": result.timing["financial_year"]}, index=result.timing.index)
    for opt in financing.FINANCING_OPTIONS:
        ff = financing.financing_flows(opt, a.one_off_costs, a.gross_savings, int(result.settings["start_year"]),  # type: ignore[arg-type]
                                       terms, capital_share=float(m["one_off_capital_share"]),
                                       reserves_available=float(m["reserves_available_gbp_thousand"]))
        if ff.fallback is None:
            out[opt] = (cash + ff.financing) / 1000.0
    return out


def price_index(years: Iterable[int], deflator: Mapping[str, float], inflation: float) -> np.ndarray:
    """The price level of each year relative to 2010-11 (1.0), from the deflator where it
    has the year and growing at ``inflation`` after its last year.

    Examples
    --------
    >>> price_index([0, 1, 3], {"2010-11": 100.0, "2011-12": 102.0}, 0.02).round(4).tolist()
    [1.0, 1.02, 1.0612]
    """
    base = float(deflator[cuts.BASE_YEAR])
    known = {cuts.year_index(k): float(v) / base for k, v in deflator.items() if cuts.year_index(k) >= 0}
    last = max(known)
    return np.array([known[t] if t in known else known[last] * (1.0 + inflation) ** (t - last) for t in years])


def affordability(result: Any, deflator: Mapping[str, float], inflation: float) -> pd.DataFrame:
    """What the scenario's financing does to the council year by year, real and cash.

    Parameters
    ----------
    result : ScenarioResult
    deflator : mapping
        Financial year -> GDP deflator (``prices.gdp_deflator``).
    inflation : float
        Price growth after the deflator's last year (``financing.inflation_assumption``).

    Returns
    -------
    pandas.DataFrame
        Index ``year``; ``financial_year``, ``revenue_effect_gbp_m`` (net savings: the
        revenue budget), ``reserves_draw_gbp_m``, ``reserves_left_after_programme_draws_gbp_m`` (usable reserves
        above the prudent minimum, after the programme's draws), ``budget_effect_gbp_m``
        (revenue effect less the reserves draw), each real (2010-11 prices), and
        ``revenue_effect_cash_gbp_m`` and ``budget_effect_cash_gbp_m`` (cash, the prices of
        each year).
    """
    t = result.timing
    years = t.index.to_numpy()
    p = price_index(years, deflator, inflation)
    net = t["net_savings"].to_numpy(dtype=float) / 1000.0
    draw = t["reserves_draw"].to_numpy(dtype=float) / 1000.0
    avail = float(result.metrics["reserves_available_gbp_thousand"]) / 1000.0
    out = pd.DataFrame({
        "financial_year": t["financial_year"],
        "revenue_effect_gbp_m": net,
        "reserves_draw_gbp_m": draw,
        "reserves_left_after_programme_draws_gbp_m": avail - np.cumsum(draw),
        "budget_effect_gbp_m": net - draw,
        "revenue_effect_cash_gbp_m": net * p,
        "budget_effect_cash_gbp_m": (net - draw) * p,
    }, index=t.index)
    return out


def penalty_by_persistence(h: Mapping[str, Any]) -> pd.DataFrame:
    """The front-loading penalty and the share the programme absorbs, with every cut
    restored (no persistence), at the cited persistence and with no cut ever restored.

    Parameters
    ----------
    h : mapping
        Report 30's headlines (``penalty_by_persistence_*`` keys).

    Examples
    --------
    >>> h = {"penalty_by_persistence_none_persistence": 0.0, "penalty_by_persistence_none_no_programme_gbp_m": 1.0,
    ...      "penalty_by_persistence_none_gbp_m": 1.0, "penalty_by_persistence_none_absorbed_share": 0.0,
    ...      "penalty_by_persistence_default_persistence": 0.75, "penalty_by_persistence_default_no_programme_gbp_m": 2.0,
    ...      "penalty_by_persistence_default_gbp_m": 1.0, "penalty_by_persistence_default_absorbed_share": 0.5,
    ...      "penalty_by_persistence_full_persistence": 1.0, "penalty_by_persistence_full_no_programme_gbp_m": 2.0,
    ...      "penalty_by_persistence_full_gbp_m": 3.0, "penalty_by_persistence_full_absorbed_share": -0.5}
    >>> penalty_by_persistence(h)["share_absorbed_pct"].tolist()
    [0.0, 50.0, -50.0]
    """
    rows = []
    for key, label in (("none", "every cut restored"), ("default", "cited persistence"), ("full", "no cut restored")):
        k = f"penalty_by_persistence_{key}"
        rows.append({"case": label, "persistence_pct": _pct(h[f"{k}_persistence"]),
                     "penalty_no_programme_gbp_m": h[f"{k}_no_programme_gbp_m"],
                     "penalty_with_programme_gbp_m": h[f"{k}_gbp_m"],
                     "share_absorbed_pct": _pct(h[f"{k}_absorbed_share"])})
    return pd.DataFrame(rows).set_index("case")


def reserves_check(h: Mapping[str, Any]) -> pd.DataFrame:
    """Usable reserves, the prudent minimum, the programme's draw and the trade-off with
    the funding gap.

    Returns
    -------
    pandas.DataFrame
        Columns ``item`` and ``value`` (text, money in £m, 2010-11 prices).

    Examples
    --------
    >>> h = {"usable_reserves_gbp_m": 19.1, "reserves_minimum_gbp_m": 2.0, "reserves_available_gbp_m": 17.1,
    ...      "reserves_draw_gbp_m": 1.8, "reserves_left_for_gap_gbp_m": 15.3,
    ...      "reserves_exhausted_financial_year": None, "reserves_exhausted_financial_year_without_programme": None}
    >>> reserves_check(h)["value"].tolist()[:5]
    ['£19.1m', '£2.0m', '£17.1m', '£1.8m', '£15.3m']
    """
    def year(v: Any) -> str:
        return "not within the horizon" if v is None else str(v)

    return pd.DataFrame(
        {
            "item": [
                "usable reserves, 2010-11 (earmarked + unallocated)",
                "prudent minimum kept back (share of net revenue expenditure)",
                "available to the programme and the gap",
                "drawn by the programme's financing",
                "left to cushion the funding gap",
                "reserves run out, meeting the programme and the front-line gap",
                "reserves run out, meeting the front-line gap with no programme",
            ],
            "value": [
                fmt.gbp_m(float(h["usable_reserves_gbp_m"])),
                fmt.gbp_m(float(h["reserves_minimum_gbp_m"])),
                fmt.gbp_m(float(h["reserves_available_gbp_m"])),
                fmt.gbp_m(float(h["reserves_draw_gbp_m"])),
                fmt.gbp_m(float(h["reserves_left_for_gap_gbp_m"])),
                year(h["reserves_exhausted_financial_year"]),
                year(h["reserves_exhausted_financial_year_without_programme"]),
            ],
        }
    )


def _with_unit(value: str, unit: str) -> str:
    """A value and its unit in one cell: "13.3% of addressable spend", "4 (years)".

    >>> _with_unit("13.3%", "% of addressable spend a year"), _with_unit("4", "years"), _with_unit("x", "")
    ('13.3% of addressable spend a year', '4 (years)', 'x')
    """
    if unit.startswith("%") and value.endswith("%"):
        return f"{value}{unit[1:]}"
    return f"{value} ({unit})" if unit else str(value)


def red_assumptions(keys: Iterable[str]) -> pd.DataFrame:
    """The red-rated assumptions among ``keys``, each with its one-line citation.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``value`` (with its unit), ``why_red`` (the rating's note),
        ``source_title`` and ``source_url`` (empty for the suite's own assumptions).

    Examples
    --------
    >>> red_assumptions(["sr2010.real_terms_cut"]).empty
    True
    """
    keys = list(keys)
    tab = assumptions.table(keys)
    red = tab[tab["quality"] == "red"]
    return pd.DataFrame({"key": red["key"].to_numpy(),
                         "value": [_with_unit(v, u) for v, u in zip(red["value"], red["unit"], strict=True)],
                         "why_red": red["quality_note"].to_numpy(),
                         "source_title": red["source_title"].to_numpy(), "source_url": red["source_url"].to_numpy()},
                        columns=["key", "value", "why_red", "source_title", "source_url"])


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
    path = names.cut_path_name(str(settings["cut_path"]))
    if settings["cut_path"] == "parametric":
        path += (f" (total real cut {fmt.pct(float(settings['total_cut']))} of 2010-11 funding, "
                 f"front-loading index {float(settings['front_loading']):.2f})")
    disc = settings["discount"]
    rows = [
        ("council", f"{council_name} ({settings['council']})"),
        ("programme", f"{names.programme_name(str(settings['programme']))}: "
                      f"{', '.join(names.service_name(x) for x in settings['services'])}"),
        ("programme starts", fmt.financial_year(int(settings.get("start_year", 1)))),
        ("financing of the one-off cost", fmt.financing_name(str(settings["financing"]))),
        ("cut path", path),
        ("cut years (even-path comparison)", str(settings["cut_years"])),
        ("horizon", f"{fmt.financial_year(0)} to {fmt.financial_year(int(settings['horizon']))}"),
        ("discount", "Green Book declining schedule" if disc == "green_book"
         else ("none (undiscounted)" if float(disc) == 0 else f"{fmt.pct(float(disc))} a year")),
        ("savings rates", f"{float(settings['savings_multiplier']):g} × cited"),
        ("one-off costs", f"{float(settings['one_off_cost_multiplier']):g} × cited"),
        ("extra delay", f"{float(settings['delay_years']):g} years"),
        ("ramp-up durations", f"{float(settings.get('ramp_multiplier', 1.0)):g} × cited"),
        ("optimism bias", "applied: one-off cost +{}, durations +{}, running cost +{}".format(
            fmt.pct(up.get("one_off_cost", 0.0), 0), fmt.pct(up.get("duration", 0.0), 0),
            fmt.pct(up.get("running_cost", 0.0), 0))
         if settings["optimism_bias"] else "not applied"),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])
