"""One scenario for one council: data + cited assumptions -> model inputs -> timing + metrics.

:func:`run_scenario` takes one :class:`~sharedservices.model.spec.Scenario` (the parameters,
checked when it is made) and returns a :class:`ScenarioResult`: the year-by-year timing
table, the typed headline :class:`Metrics`, the arrays and the settings as run.  It reads
the council's processed data here (:func:`council_inputs`, through
:mod:`sharedservices.inputs.data`) and every cited default through
:mod:`sharedservices.model.cited`; the arithmetic is :mod:`.cuts`, :mod:`.programmes`,
:mod:`.financing`, :mod:`.finance` and :mod:`.gap`, which read nothing.  Per-council inputs
and the defaults are cached, so a recompute (the explorer calls :func:`run_scenario` on every
slider move) takes a millisecond or two.  Call :func:`clear_cache` after changing data or
assumption files in a running process.

Conventions: years 0..H (0 = 2010-11), money real 2010-11 prices, £ thousand, savings
and income positive, costs negative in cash flows; every share names its basis
(``_share_of_tse``: total service expenditure, the basis of NLGN's 1.8 % / 3.6 % and of
"close to 10 %"; ``_share_of_core_spending``).  ``None`` for a parameter means the cited
default from ``data/assumptions``.

Year-0 spend by service is the council's 2010-11 net current expenditure; adult and
children's social care were one line in 2010-11, so that line is split by the council's
2011-12 shares (``CouncilInputs.social_care_split``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from sharedservices.errors import DataError, InputError
from sharedservices.inputs import assumptions, data, paths
from sharedservices.model import cited, cuts, finance, financing, gap, programmes, reference_class
from sharedservices.model.cited import ModelDefaults
from sharedservices.model.spec import CUT_PATHS, Scenario

__all__ = [
    "CUT_PATHS",
    "CouncilInputs",
    "Metrics",
    "ModelDefaults",
    "Resolved",
    "Scenario",
    "ScenarioResult",
    "as_scenario",
    "clear_cache",
    "council_inputs",
    "defaults_from_assumptions",
    "front_loading_table",
    "rerun",
    "resolve",
    "run_scenario",
    "sr2010_front_loading_index",
]


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilInputs:
    """What the model needs from the data about one council (real 2010-11 £ thousand).

    Attributes
    ----------
    ecode, name : str
    spend : mapping of str to float
        Year-0 (2010-11) net current expenditure by service slug.
    total_service_expenditure : float
    base_funding : float
        2010-11 central funding, like for like (with Area Based Grant).
    actual_funding : numpy.ndarray
        Actual central funding from year 0 to the last data year (gap years
        interpolated), real.
    usable_reserves : float
        Earmarked + unallocated reserves as dated in 2010-11.
    rollin_abg, retention_step : float or None
        Sizes of the 2011-12 roll-in and 2013-14 rates-retention breaks.
    social_care_split : tuple of float or None
        (children's, adult) shares used to split the 2010-11 social care line.
    funding_estimated_share : float
        The largest share, over the data years, of the council's like-for-like funding
        that rests on the suite's estimates.
    funding_flags : tuple of str
        ``year:flag`` codes of its central funding rows (``2017-18:rates_pilot``...).
    central_services_base : float or None
        The back-office base of RS central services (median of several years' real spend,
        :func:`sharedservices.model.programmes.central_services_base`); None = the 2010-11 line.
    central_services_flags : tuple of str
        ``central_negative``, ``central_unstable``.
    net_revenue_expenditure : float
        2010-11 net revenue expenditure (the base of the prudent minimum of reserves).
    """

    ecode: str
    name: str
    spend: Mapping[str, float]
    total_service_expenditure: float
    base_funding: float
    actual_funding: np.ndarray
    usable_reserves: float
    rollin_abg: float = 0.0
    retention_step: float | None = None
    social_care_split: tuple[float, float] | None = None
    funding_estimated_share: float = 0.0
    funding_flags: tuple[str, ...] = ()
    central_services_base: float | None = None
    central_services_flags: tuple[str, ...] = ()
    net_revenue_expenditure: float = 0.0

    @property
    def programme_spend(self) -> Mapping[str, float]:
        """Year-0 spend by service with central services at their stable base: the spend a
        shared-service programme works on."""
        if self.central_services_base is None:
            return self.spend
        return {**self.spend, "central": self.central_services_base}

    @property
    def core_spending(self) -> float:
        """Year-0 core spending (TSE minus education, police and fire), £ thousand."""
        return gap.core_spending(self.spend, 0)


def _split_social_care(spend_y0: dict[str, float], spend_y1: Mapping[str, float]) -> tuple[float, float] | None:
    sc = spend_y0.pop("social_care", None)
    if sc is None or ("adult_social_care" in spend_y0 and "childrens_social_care" in spend_y0):
        return None
    c1 = float(spend_y1.get("childrens_social_care", 0.0))
    a1 = float(spend_y1.get("adult_social_care", 0.0))
    share_c = c1 / (c1 + a1) if c1 + a1 > 0 else 0.0
    spend_y0["childrens_social_care"] = sc * share_c
    spend_y0["adult_social_care"] = sc * (1.0 - share_c)
    return share_c, 1.0 - share_c


@assumptions.cached
def _tables(processed: str) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, str],
                                     dict[str, pd.DataFrame]]:
    """Spending, finance and central funding split by council once, and council names."""
    spending = dict(tuple(data.spending().groupby("ecode", sort=False)))
    fin = dict(tuple(data.finance().groupby("ecode", sort=False)))
    funding = dict(tuple(data.central_funding().groupby("ecode", sort=False)))
    c = data.councils()
    names = dict(zip(c["ecode"], c["name"].astype(str), strict=True))
    return spending, fin, names, funding


@assumptions.cached
def _council_inputs(ecode: str, processed: str) -> CouncilInputs:
    spending, fin_by, names, funding_by = _tables(processed)
    deflator = cited.deflator()
    sp = spending.get(ecode)
    if sp is None or sp.empty:
        raise DataError(f"spending: council {ecode!r} has no rows (allowed: a council in data/processed/spending.csv)")
    by_year = {y: dict(zip(g["service"], g["gbp_thousand"].astype(float), strict=True)) for y, g in sp.groupby("year")}
    if cuts.BASE_YEAR not in by_year:
        raise DataError(f"spending: council {ecode!r} has no {cuts.BASE_YEAR} rows (allowed: councils with 2010-11 data)")
    y0 = {k: v for k, v in by_year[cuts.BASE_YEAR].items() if not pd.isna(v)}
    split = _split_social_care(y0, by_year.get("2011-12", {}))
    tse = float(y0.pop("total_service_expenditure", sum(y0.get(s, 0.0) for s in programmes.SERVICES)))
    y0.pop("net_current_expenditure", None)
    spend = {s: float(y0.get(s, 0.0)) for s in programmes.SERVICES}
    fin = fin_by.get(ecode)
    if fin is None:
        raise DataError(f"finance: council {ecode!r} has no rows (allowed: a council in data/processed/finance.csv)")
    funding = funding_by.get(ecode)
    if funding is None:
        raise DataError(f"central_funding: council {ecode!r} has no rows (allowed: a council in data/processed/central_funding.csv)")
    cf = cuts.central_funding(funding, ecode, deflator)
    base_years, instability = cited.central_services_base_rule()
    central_real = {y: float(v.get("central", np.nan)) * deflator[cuts.BASE_YEAR] / deflator[y]
                    for y, v in by_year.items() if y in deflator}
    central_base, central_flags = programmes.central_services_base(central_real, base_years, instability)
    idx = [cuts.year_index(y) for y in cf.years]
    actual = np.interp(np.arange(max(idx) + 1), idx, cf.real_gbp_thousand)
    return CouncilInputs(
        ecode=ecode,
        name=names.get(ecode, ecode),
        spend=spend,
        total_service_expenditure=tse,
        base_funding=float(cf.real_gbp_thousand[0]),
        actual_funding=actual,
        usable_reserves=financing.usable_reserves(fin, ecode),
        rollin_abg=cf.rollin_abg_gbp_thousand,
        retention_step=cf.retention_step_gbp_thousand,
        social_care_split=split,
        funding_estimated_share=float(np.nanmax(cf.estimated_share)) if cf.estimated_share is not None else 0.0,
        funding_flags=cf.flags,
        central_services_base=central_base,
        central_services_flags=central_flags,
        net_revenue_expenditure=_nre(fin),
    )


def _nre(fin: pd.DataFrame) -> float:
    """2010-11 net revenue expenditure, £ thousand (2010-11 prices are cash in 2010-11)."""
    row = fin[(fin["year"] == cuts.BASE_YEAR) & (fin["item"] == "net_revenue_expenditure")]["gbp_thousand"]
    v = float(row.sum()) if not row.empty else 0.0
    return v if np.isfinite(v) else 0.0


@functools.lru_cache(maxsize=2048)
def _resolve(code: str, processed: str) -> str:
    return data.resolve_council(code)


def council_inputs(council: str | CouncilInputs) -> CouncilInputs:
    """The cached model inputs for a council given by RS or ONS code.

    Raises
    ------
    InputError
        Unknown council (from :func:`sharedservices.inputs.data.resolve_council`).
    """
    if isinstance(council, CouncilInputs):
        return council
    if not isinstance(council, str):
        raise InputError(f"council: {council!r} is not a code (allowed: an RS code such as E0101 or an ONS code)")
    processed = str(paths.processed_dir())
    return _council_inputs(_resolve(council, processed), processed)


def defaults_from_assumptions() -> ModelDefaults:
    """The cited defaults the model uses (:class:`sharedservices.model.cited.ModelDefaults`)."""
    return cited.defaults()


def clear_cache() -> None:
    """Forget cached council inputs and every cited default (data or assumptions edited)."""
    assumptions.clear_cache()
    _resolve.cache_clear()


@assumptions.cached
def _discount(horizon: int, discount: str | float) -> np.ndarray:
    out = finance.discount_factors(np.arange(horizon + 1), cited.rate(discount))
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------
# Resolving a scenario
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A scenario's parameters resolved into the arrays the model runs on (all real 2010-11
    £ thousand; arrays over the programme's services or over years 0..H).

    Attributes
    ----------
    scenario : Scenario
    council : CouncilInputs
    programme : Programme
        As run (failure probability applied).
    arrays : ProgrammeArrays
        The programme for this council, before multipliers and optimism bias.
    path, pressure, gap : numpy.ndarray
        Central funding, demand pressure and the funding gap by year.
    n : int
        Cut years (of the even-path comparison).
    savings_rate, one_off_ratio, lead, ramp, running_ratio : numpy.ndarray
        Per service, after multipliers and optimism bias.
    optimism : Adjustment
    persistence : float
        Of front-line cuts.
    exit_cost_ratio : float
    terms : FinancingTerms
    capital_share : float
        Of the one-off cost.
    reserves_minimum, reserves_available : float
        The prudent minimum and usable reserves above it.
    settings : dict
        The resolved parameters, for provenance and the settings table.
    """

    scenario: Scenario
    council: CouncilInputs
    programme: programmes.Programme
    arrays: programmes.ProgrammeArrays
    path: np.ndarray
    pressure: np.ndarray
    gap: np.ndarray
    n: int
    savings_rate: np.ndarray
    one_off_ratio: np.ndarray
    lead: np.ndarray
    ramp: np.ndarray
    running_ratio: np.ndarray
    optimism: reference_class.Adjustment
    persistence: float
    exit_cost_ratio: float
    terms: financing.FinancingTerms
    capital_share: float
    reserves_minimum: float
    reserves_available: float
    settings: dict[str, Any]


def as_scenario(scenario: Scenario | str | CouncilInputs, *args: Any, **kwargs: Any) -> Scenario:
    """A :class:`Scenario` as given, or made from ``Scenario(council, *args, **kwargs)`` (the
    keyword form tests and what-ifs use: ``run_scenario("E2532", "broad", horizon=6)``)."""
    if isinstance(scenario, Scenario):
        if args:
            raise InputError("scenario: a Scenario and positional settings given (allowed: a Scenario, "
                             "with changes as keywords, or the keyword form)")
        return replace(scenario, **kwargs) if kwargs else scenario
    return Scenario(scenario, *args, **kwargs)


def _programme(programme: str | programmes.Programme) -> programmes.Programme:
    if isinstance(programme, programmes.Programme):
        return programme
    return cited.preset(programme)


def _optimism(sc: Scenario) -> reference_class.Adjustment:
    """The optimism-bias adjustment a scenario applies."""
    if isinstance(sc.optimism_adjustment, reference_class.Adjustment):
        return sc.optimism_adjustment if sc.optimism_bias else reference_class.NONE
    return cited.adjustment(sc.optimism_adjustment) if sc.optimism_bias else reference_class.NONE


def resolve(scenario: Scenario | str | CouncilInputs, *args: Any, **kwargs: Any) -> Resolved:
    """Resolve a scenario (or the keyword form of :func:`as_scenario`) into the arrays the
    model runs on: used by :func:`run_scenario` and by :mod:`sharedservices.model.uncertainty`."""
    sc = as_scenario(scenario, *args, **kwargs)
    ci = council_inputs(sc.council)
    h = int(sc.horizon)
    persistence = cited.frontline_cut_persistence() if sc.frontline_cut_persistence is None \
        else sc.frontline_cut_persistence
    settings: dict[str, Any] = {"council": ci.ecode, "cut_path": sc.cut_path, "horizon": h,
                                "frontline_cut_persistence": float(persistence),
                                "capitalisation_direction": bool(sc.capitalisation_direction)}
    if sc.cut_path == "sr2010":
        path = ci.base_funding * cuts.extend_path(cited.sr2010_ratio(), h)
        n = cuts.path_cut_years(path, sc.cut_years if sc.cut_years is not None else cited.sr2010_period_years())
    elif sc.cut_path == "actual":
        path = cuts.extend_path(ci.actual_funding, h)
        n = cuts.path_cut_years(path, sc.cut_years if sc.cut_years is not None else len(ci.actual_funding) - 1)
    else:
        period = cited.sr2010_period_years()
        if sc.front_loading is None:
            phi = cuts.front_loading_index(1.0 - cited.sr2010_ratio()[1 : period + 1])
        else:
            phi = sc.front_loading
        c = sc.total_cut_multiplier * cited.sr2010_total_cut() if sc.total_cut is None else sc.total_cut
        n = period if sc.cut_years is None else sc.cut_years
        path = cuts.parametric_path(c, n, float(phi if phi is not None else 0.0), h, ci.base_funding)
        settings.update(front_loading=phi, total_cut=c)
    n = min(int(n), h)
    settings["cut_years"] = n
    growth = cited.demand_growth()
    pressure = cuts.demand_pressure([ci.spend.get(s, 0.0) for s in growth], list(growth.values()), h)
    prog = _programme(sc.programme)
    if sc.failure_probability is not None:
        prog = prog.with_failure_probability(sc.failure_probability)
    arrays = programmes.programme_arrays(prog, ci.programme_spend)
    ob = _optimism(sc)
    cap, dur, opx = ob.one_off_cost, ob.duration, ob.running_cost
    base_ramp = arrays.ramp * sc.ramp_multiplier if sc.ramp_years is None \
        else np.full_like(arrays.ramp, float(sc.ramp_years))
    settings.update(
        programme=prog.name,
        start_year=int(prog.start_year),
        services=list(prog.service_slugs),
        savings_multiplier=sc.savings_multiplier,
        one_off_cost_multiplier=sc.one_off_cost_multiplier,
        delay_years=sc.delay_years,
        ramp_years=sc.ramp_years,
        ramp_multiplier=sc.ramp_multiplier,
        optimism_bias=bool(sc.optimism_bias),
        optimism_adjustment=ob.name,
        optimism_bias_uplifts=ob.as_dict(),
        failure_probability=[float(x) for x in arrays.failure_probability],
    )
    terms = replace(cited.financing_terms(), capitalisation_direction=bool(sc.capitalisation_direction))
    minimum = terms.reserves_minimum_share * ci.net_revenue_expenditure
    one_off_ratio = arrays.one_off_ratio * sc.one_off_cost_multiplier * (1.0 + cap)
    return Resolved(
        scenario=sc,
        council=ci,
        programme=prog,
        arrays=arrays,
        path=path,
        pressure=pressure,
        gap=cuts.funding_gap(path, pressure),
        n=n,
        savings_rate=arrays.savings_rate * sc.savings_multiplier * (1.0 - ob.savings_shortfall),
        one_off_ratio=one_off_ratio,
        lead=arrays.lead * (1.0 + dur) + ob.delay_years + sc.delay_years,
        ramp=base_ramp * (1.0 + dur),
        running_ratio=arrays.running_ratio * (1.0 + opx),
        optimism=ob,
        persistence=float(persistence),
        exit_cost_ratio=cited.exit_cost_ratio(),
        terms=terms,
        capital_share=arrays.capital_fraction(one_off_ratio),
        reserves_minimum=minimum,
        reserves_available=max(ci.usable_reserves - minimum, 0.0),
        settings=settings,
    )


# --------------------------------------------------------------------------------------
# Running a scenario
# --------------------------------------------------------------------------------------


class PenaltyAtPersistence(TypedDict):
    """The front-loading penalty at one persistence of front-line cuts."""

    persistence: float
    penalty_gbp_thousand: float
    penalty_no_programme_gbp_thousand: float
    absorbed_share: float | None


class Metrics(TypedDict):
    """The headline metrics of one scenario (JSON-friendly; money £ thousand, 2010-11 prices;
    shares are fractions with their basis in the name; None where a value does not exist,
    such as "no payback year" or "no gap").  See :func:`run_scenario`."""

    council: str
    council_name: str
    programme: str
    horizon: int
    cut_years: int
    central_funding_base_gbp_thousand: float
    funding_gap_final_gbp_thousand: float
    funding_cut_share_of_base: float | None
    front_loading_index: float | None
    front_loading_index_label: str
    front_loading_index_sr_period: float | None
    sr2010_national_front_loading_index: float | None
    total_service_expenditure_gbp_thousand: float
    core_spending_gbp_thousand: float
    steady_state_saving_gbp_thousand: float
    steady_state_saving_share_of_tse: float | None
    steady_state_saving_share_of_core_spending: float | None
    gross_steady_state_saving_gbp_thousand: float
    gross_steady_state_saving_share_of_tse: float | None
    gross_steady_state_saving_share_of_core_spending: float | None
    benchmark_back_office_realistic_share_of_tse: float
    benchmark_back_office_best_case_share_of_tse: float
    benchmark_ambitious_target_share_of_tse: float
    one_off_cost_gbp_thousand: float
    payback_year: int | None
    payback_financial_year: str | None
    budget_payback_year: int | None
    npv_gbp_thousand: float
    budget_effect_pv_gbp_thousand: float
    revenue_effect_year1_gbp_thousand: float
    financing_cost_gbp_thousand: float
    borrowed_gbp_thousand: float
    revenue_one_off_gbp_thousand: float
    one_off_capital_share: float
    financing_fallback: str | None
    partner_share: float | None
    partner_feasible: bool | None
    partner_irr: float | None
    partner_best_irr: float | None
    partner_npv_at_hurdle_gbp_thousand: float | None
    borrowing_rate_real: float
    partner_hurdle_nominal: float
    partner_term_years: int
    frontline_cut_persistence: float
    penalty_by_persistence: dict[str, PenaltyAtPersistence]
    irr: float | None
    coverage_by_year: dict[str, float | None]
    coverage_year1: float | None
    cumulative_frontline_cuts_gbp_thousand: float
    cumulative_frontline_cuts_share_of_core_spending: float | None
    cumulative_frontline_cuts_no_programme_gbp_thousand: float
    front_loading_penalty_gbp_thousand: float
    front_loading_penalty_share_of_core_spending: float | None
    front_loading_penalty_no_programme_gbp_thousand: float
    front_loading_penalty_no_programme_share_of_core_spending: float | None
    front_loading_penalty_absorbed_gbp_thousand: float
    front_loading_penalty_absorbed_share: float | None
    usable_reserves_gbp_thousand: float
    reserves_minimum_gbp_thousand: float
    reserves_available_gbp_thousand: float
    reserves_draw_gbp_thousand: float
    reserves_sufficient: bool | None
    reserves_left_for_gap_gbp_thousand: float
    reserves_exhausted_year: int | None
    reserves_exhausted_year_without_programme: int | None
    social_care_split_2010_11: dict[str, float] | None
    back_office_gross_saving_gbp_thousand: float | None
    back_office_gross_saving_share_of_tse: float | None
    central_services_base_gbp_thousand: float | None
    central_services_flags: list[str]
    funding_flags: list[str]
    funding_estimated_share: float
    rollin_break_abg_gbp_thousand: float
    retention_break_step_gbp_thousand: float | None


@dataclass(frozen=True)
class ScenarioResult:
    """The result of one scenario.

    Attributes
    ----------
    timing : pandas.DataFrame
        The year-by-year table of :func:`sharedservices.model.gap.timing_table`.
    metrics : Metrics
        The typed headline metrics (see :func:`run_scenario`).
    arrays : GapResult
        The underlying arrays.
    settings : dict
        The resolved parameters (defaults filled in), for provenance.
    council : CouncilInputs
        The council's inputs the scenario ran on.
    programme : Programme
        The programme as run (failure probability applied).
    optimism : Adjustment
        The optimism-bias adjustment applied.
    scenario : Scenario
        The scenario as given (:func:`rerun` changes it).
    rate : float or list of dict
        The discount the appraisal used (a flat real rate or the cited schedule).
    """

    timing: pd.DataFrame
    metrics: Metrics
    arrays: gap.GapResult
    settings: dict[str, Any]
    council: CouncilInputs
    programme: programmes.Programme
    optimism: reference_class.Adjustment
    scenario: Scenario
    rate: float | list[dict[str, Any]]


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _scalar(x: np.ndarray | float | None) -> float | None:
    """A one-programme result of a function that broadcasts over draws (None stays None)."""
    return None if x is None else float(x)


def _year(x: np.ndarray | int | None) -> int | None:
    """A one-programme year (None: not within the horizon)."""
    return None if x is None else int(x)


def _financing(option: str, one_off: np.ndarray, gross: np.ndarray, si: Resolved,
               partner: financing.PartnerTerms | None = None) -> financing.FinancingFlows:
    return financing.financing_flows(option, one_off, gross, si.programme.start_year, si.terms,  # type: ignore[arg-type]
                                     capital_share=si.capital_share, reserves_available=si.reserves_available,
                                     partner=partner)


def run_scenario(scenario: Scenario | str | CouncilInputs, *args: Any, **kwargs: Any) -> ScenarioResult:
    """Run one deterministic scenario (expected values, survival-weighted).

    Parameters
    ----------
    scenario : Scenario
        Every setting (:class:`~sharedservices.model.spec.Scenario`; a notebook makes it from
        its parameters with :func:`sharedservices.report.params.load`).  For tests and
        what-ifs the keyword form ``run_scenario(council, programme, financing, ...,
        horizon=6)`` makes the Scenario first (:func:`as_scenario`), with the same checks.

    Returns
    -------
    ScenarioResult
        ``metrics`` (:class:`Metrics`) include ``payback_year``, ``npv_gbp_thousand``
        (programme cash flow, before financing), ``budget_effect_pv_gbp_thousand`` (the effect
        on the revenue budget and reserves under the financing, at the same rate), ``irr``,
        ``coverage_by_year`` (financial year -> ratio or None = "no gap"),
        ``coverage_year1``, ``cumulative_frontline_cuts_gbp_thousand`` and
        ``_share_of_core_spending``, ``front_loading_penalty_gbp_thousand`` /
        ``_share_of_core_spending`` with and without (``_no_programme``) the programme,
        ``front_loading_penalty_absorbed_gbp_thousand``, ``front_loading_index`` (None =
        "no net cut"), ``steady_state_saving_gbp_thousand`` with ``_share_of_tse`` and
        ``_share_of_core_spending`` (net of running costs) and the ``gross_`` versions
        (before running costs: the basis on which ``programmes.yaml`` calibrates the back
        office to NLGN's 1.8 %, so set those against the benchmarks),
        ``one_off_cost_gbp_thousand``, ``usable_reserves_gbp_thousand``,
        ``reserves_sufficient``, ``reserves_exhausted_year`` (if reserves met the
        programme's draws and the residual gap), benchmark shares and the breaks.

    Raises
    ------
    InputError
        A value the scenario does not allow (one line), an unknown council or preset.

    Examples
    --------
    >>> r = run_scenario(Scenario("E2532", horizon=6))
    >>> r.metrics["council"], r.metrics["horizon"], len(r.timing)
    ('E2532', 6, 7)
    """
    si = resolve(scenario, *args, **kwargs)
    sc, ci = si.scenario, si.council
    years = np.arange(si.path.size)
    gross, running, one_off = programmes.service_profiles(
        si.arrays,
        years,
        savings_rate=si.savings_rate,
        one_off_ratio=si.one_off_ratio,
        lead=si.lead,
        ramp=si.ramp,
        running_ratio=si.running_ratio,
        exit_cost_ratio=si.exit_cost_ratio,
    )
    ff = _financing(sc.financing, one_off, gross, si)
    res = gap.GapResult(si.path, si.gap, gross, running, one_off, ff.financing, ff.reserves_draw,
                        si.persistence, capital_receipts=ff.capital_receipts if ff.capital_receipts.size else None)
    timing = gap.timing_table(res, ci.spend, si.programme.service_slugs, sc.protect)
    dfs = _discount(int(years[-1]), sc.rate)
    metrics = _metrics(res, si, dfs, ff)
    settings = {**si.settings, "financing": ff.option, "discount": sc.rate, "protect": list(sc.protect),
                "partner_share": None if ff.partner is None else float(ff.partner.share)}
    return ScenarioResult(timing=timing, metrics=metrics, arrays=res, settings=settings, council=ci,
                          programme=si.programme, optimism=si.optimism, scenario=sc, rate=cited.rate(sc.rate))


def rerun(result: ScenarioResult, **overrides: Any) -> ScenarioResult:
    """Run a scenario again with some of its settings changed (e.g. ``optimism_bias=False``
    for the answer without the adjustment; ``programme=`` a changed Programme).

    Examples
    --------
    >>> r = run_scenario("E2532", "back_office", horizon=6)
    >>> rerun(r, optimism_bias=False).metrics["one_off_cost_gbp_thousand"] < r.metrics["one_off_cost_gbp_thousand"]
    True
    """
    return run_scenario(replace(result.scenario, **overrides))


def _metrics(res: gap.GapResult, si: Resolved, dfs: np.ndarray, ff: financing.FinancingFlows) -> Metrics:
    ci = si.council
    path, n = si.path, si.n
    h = path.size - 1
    core = ci.core_spending
    tse = ci.total_service_expenditure
    even = cuts.even_path(path, n)
    gap_even = cuts.funding_gap(even, si.pressure)
    cash = res.programme_cash_flow
    net = res.net_savings
    budget = res.budget_effect
    pers = float(si.persistence)

    def penalties(p: float) -> tuple[float, float, float, float]:
        cum_ = float(gap.cumulative_cuts(res.residual_gap, p))
        cum_even_ = float(gap.cumulative_cuts(gap_even - net, p))
        none_ = float(gap.cumulative_cuts(res.funding_gap, p))
        none_even_ = float(gap.cumulative_cuts(gap_even, p))
        return cum_, cum_ - cum_even_, none_, none_ - none_even_

    cum, penalty, cum_none, penalty_none = penalties(pers)
    by_persistence: dict[str, PenaltyAtPersistence] = {}
    for label, p in (("none", 0.0), ("default", pers), ("full", 1.0)):
        _, pen_, _, pen_none_ = penalties(p)
        by_persistence[label] = {"persistence": p, "penalty_gbp_thousand": pen_,
                                 "penalty_no_programme_gbp_thousand": pen_none_,
                                 "absorbed_share": _scalar(gap.penalty_absorbed_share(pen_none_, pen_))}
    cov = gap.coverage(net, res.funding_gap)
    arrays = replace(si.arrays, savings_rate=si.savings_rate, running_ratio=si.running_ratio)
    ss = programmes.steady_state_saving(arrays)
    draws = res.reserves_draw + res.frontline_cuts
    pb = finance.payback_year(cash)
    pb_budget = finance.payback_year(budget)
    fli = cuts.front_loading_index(path[0] - path[1 : n + 1])
    sr_n = min(cited.sr2010_period_years(), h)
    fli_sr = cuts.front_loading_index(path[0] - path[1 : sr_n + 1])
    partner = ff.partner
    start = int(si.programme.start_year)

    def share(x: float, base: float) -> float | None:
        return None if base <= 0 else float(x) / base

    bench = cited.benchmarks()
    bo = [i for i, svc in enumerate(arrays.services) if svc == si.programme.overhead_service]
    bo_gross = float(arrays.addressable[bo[0]] * arrays.savings_rate[bo[0]]) if bo else None

    return {
        "council": ci.ecode,
        "council_name": ci.name,
        "programme": si.programme.name,
        "horizon": h,
        "cut_years": n,
        "central_funding_base_gbp_thousand": float(path[0]),
        "funding_gap_final_gbp_thousand": float(res.funding_gap[-1]),
        "funding_cut_share_of_base": share(path[0] - path[n], path[0]),
        "front_loading_index": fli,
        "front_loading_index_label": cuts.NO_NET_CUT if fli is None else f"{fli:.2f}",
        "front_loading_index_sr_period": fli_sr,
        "sr2010_national_front_loading_index": sr2010_front_loading_index(),
        "total_service_expenditure_gbp_thousand": tse,
        "core_spending_gbp_thousand": core,
        "steady_state_saving_gbp_thousand": ss["net_gbp_thousand"],
        "steady_state_saving_share_of_tse": share(ss["net_gbp_thousand"], tse),
        "steady_state_saving_share_of_core_spending": share(ss["net_gbp_thousand"], core),
        "gross_steady_state_saving_gbp_thousand": ss["gross_gbp_thousand"],
        "gross_steady_state_saving_share_of_tse": share(ss["gross_gbp_thousand"], tse),
        "gross_steady_state_saving_share_of_core_spending": share(ss["gross_gbp_thousand"], core),
        "benchmark_back_office_realistic_share_of_tse": bench["back_office_realistic_share_of_tse"],
        "benchmark_back_office_best_case_share_of_tse": bench["back_office_best_case_share_of_tse"],
        "benchmark_ambitious_target_share_of_tse": bench["ambitious_target_share_of_tse"],
        "one_off_cost_gbp_thousand": float(res.one_off_costs.sum()),
        "payback_year": pb,
        "payback_financial_year": None if pb is None else cuts.fy_label(pb),
        "budget_payback_year": pb_budget,
        "npv_gbp_thousand": float((cash * dfs).sum()),
        "budget_effect_pv_gbp_thousand": float((budget * dfs).sum()),
        "revenue_effect_year1_gbp_thousand": float(net[start]) if net.size > start else 0.0,
        "financing_cost_gbp_thousand": float(financing.financing_cost(ff, res.one_off_costs)),
        "borrowed_gbp_thousand": float(ff.borrowed.sum()) if ff.borrowed.size else 0.0,
        "revenue_one_off_gbp_thousand": float(ff.revenue_one_off.sum()) if ff.revenue_one_off.size else 0.0,
        "one_off_capital_share": float(si.capital_share),
        "financing_fallback": ff.fallback,
        "partner_share": None if partner is None else float(partner.share),
        "partner_feasible": None if partner is None else bool(partner.feasible),
        "partner_irr": None if partner is None or not partner.feasible else partner.irr_nominal,
        # infeasible: what the partner would get from all of the savings in its term
        "partner_best_irr": None if partner is None or partner.feasible else partner.irr_nominal,
        "partner_npv_at_hurdle_gbp_thousand": None if partner is None else partner.npv_at_hurdle,
        "borrowing_rate_real": si.terms.real_borrowing_rate,
        "partner_hurdle_nominal": si.terms.partner_hurdle_nominal,
        "partner_term_years": si.terms.partner_term_years,
        "frontline_cut_persistence": pers,
        "penalty_by_persistence": by_persistence,
        "irr": finance.irr(cash),
        "coverage_by_year": {cuts.fy_label(t): _num(cov[t]) for t in range(h + 1)},
        "coverage_year1": _num(cov[1]) if h >= 1 else None,
        "cumulative_frontline_cuts_gbp_thousand": cum,
        "cumulative_frontline_cuts_share_of_core_spending": share(cum, core),
        "cumulative_frontline_cuts_no_programme_gbp_thousand": cum_none,
        "front_loading_penalty_gbp_thousand": penalty,
        "front_loading_penalty_share_of_core_spending": share(penalty, core),
        "front_loading_penalty_no_programme_gbp_thousand": penalty_none,
        "front_loading_penalty_no_programme_share_of_core_spending": share(penalty_none, core),
        "front_loading_penalty_absorbed_gbp_thousand": penalty_none - penalty,
        "front_loading_penalty_absorbed_share": _scalar(gap.penalty_absorbed_share(penalty_none, penalty)),
        "usable_reserves_gbp_thousand": ci.usable_reserves,
        "reserves_minimum_gbp_thousand": float(si.reserves_minimum),
        "reserves_available_gbp_thousand": float(si.reserves_available),
        "reserves_draw_gbp_thousand": float(res.reserves_draw.sum()),
        "reserves_sufficient": bool(float(ff.revenue_one_off.sum()) <= 1e-9) if ff.option in ("reserves", "grant") else None,
        "reserves_left_for_gap_gbp_thousand": float(si.reserves_available - res.reserves_draw.sum()),
        "reserves_exhausted_year": _year(financing.reserves_exhausted_year(float(si.reserves_available), draws)),
        "reserves_exhausted_year_without_programme": _year(financing.reserves_exhausted_year(
            float(si.reserves_available), gap.frontline_cuts(res.funding_gap, pers))),
        "social_care_split_2010_11": None
        if ci.social_care_split is None
        else {"childrens_social_care": ci.social_care_split[0], "adult_social_care": ci.social_care_split[1]},
        "back_office_gross_saving_gbp_thousand": bo_gross,
        "back_office_gross_saving_share_of_tse": None if bo_gross is None else share(bo_gross, tse),
        "central_services_base_gbp_thousand": ci.central_services_base,
        "central_services_flags": list(ci.central_services_flags),
        "funding_flags": list(ci.funding_flags),
        "funding_estimated_share": ci.funding_estimated_share,
        "rollin_break_abg_gbp_thousand": ci.rollin_abg,
        "retention_break_step_gbp_thousand": ci.retention_step,
    }


def sr2010_front_loading_index() -> float | None:
    """Front-loading index of the SR2010 national profile over the SR period (real terms).

    Examples
    --------
    >>> 0 < sr2010_front_loading_index() < 1
    True
    """
    n = cited.sr2010_period_years()
    return cuts.front_loading_index(1.0 - cited.sr2010_ratio()[1 : n + 1])


def front_loading_table(councils: Iterable[str] | None = None) -> pd.DataFrame:
    """Each council's actual central funding path over the SR period, with its index.

    Parameters
    ----------
    councils : iterable of str, optional
        RS or ONS codes; default every principal council (``data.select_councils("all")``).

    Returns
    -------
    pandas.DataFrame
        One row per council: ``ecode``, ``name``, ``central_funding_2010_11_gbp_thousand``
        and ``central_funding_2014_15_gbp_thousand`` (real, 2010-11 prices),
        ``real_cut_share`` (fraction of 2010-11), ``front_loading_index`` (NaN where
        there was no net cut), ``front_loading_label`` (the index to two places, or "no
        net cut"), ``rollin_abg_gbp_thousand`` and ``retention_step_gbp_thousand`` (the
        sizes of the 2011-12 roll-in and 2013-14 rates-retention breaks).
    """
    codes = data.select_councils("all") if councils is None else list(councils)
    n = cited.sr2010_period_years()
    rows = []
    for code in codes:
        ci = council_inputs(code)
        f = ci.actual_funding
        last = min(n, f.size - 1)
        fli = cuts.front_loading_index(f[0] - f[1 : last + 1]) if last >= 1 else None
        rows.append(
            {
                "ecode": ci.ecode,
                "name": ci.name,
                "central_funding_2010_11_gbp_thousand": float(f[0]),
                "central_funding_2014_15_gbp_thousand": float(f[last]),
                "real_cut_share": (float(f[0] - f[last]) / float(f[0])) if f[0] > 0 else np.nan,
                "front_loading_index": np.nan if fli is None else fli,
                "front_loading_label": cuts.NO_NET_CUT if fli is None else f"{fli:.2f}",
                "rollin_abg_gbp_thousand": ci.rollin_abg,
                "retention_step_gbp_thousand": np.nan if ci.retention_step is None else ci.retention_step,
            }
        )
    return pd.DataFrame(rows)
