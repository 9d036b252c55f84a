"""One scenario for one council: data + assumptions -> model inputs -> timing table + metrics.

This is the only model module that reads the processed data and the assumptions; the
others are pure.  Per-council inputs and the assumption defaults are cached, so a
recompute (the explorer calls :func:`run_scenario` on every slider move) takes a
millisecond or two.  Call :func:`clear_cache` after changing data or assumption files in
a running process.

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
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from sharedservices.errors import DataError, InputError
from sharedservices.model import cuts, finance, financing, gap, programmes, reference_class

__all__ = [
    "CUT_PATHS",
    "CouncilInputs",
    "ModelDefaults",
    "ScenarioResult",
    "clear_cache",
    "council_inputs",
    "defaults_from_assumptions",
    "front_loading_table",
    "monte_carlo_from_params",
    "run_from_params",
    "run_scenario",
    "scenario_kwargs_from_params",
    "sr2010_front_loading_index",
    "sr2010_lg_del_ratio",
]

CUT_PATHS = ("sr2010", "actual", "parametric")
CutPath = Literal["sr2010", "actual", "parametric"]


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


@functools.lru_cache(maxsize=4)
def _tables(processed: str) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, str],
                                     dict[str, float], dict[str, pd.DataFrame]]:
    """Spending, finance and central funding split by council once, council names, and the
    deflator."""
    from sharedservices.inputs import assumptions, data

    spending = dict(tuple(data.spending().groupby("ecode", sort=False)))
    fin = dict(tuple(data.finance().groupby("ecode", sort=False)))
    funding = dict(tuple(data.central_funding().groupby("ecode", sort=False)))
    c = data.councils()
    names = dict(zip(c["ecode"], c["name"].astype(str), strict=True))
    deflator = {str(k): float(v) for k, v in assumptions.value("prices.gdp_deflator").items()}
    return spending, fin, names, deflator, funding


@functools.lru_cache(maxsize=1024)
def _council_inputs(ecode: str) -> CouncilInputs:
    from sharedservices.inputs import paths

    spending, fin_by, names, deflator, funding_by = _tables(str(paths.processed_dir()))
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
    base_years, instability = _central_base_rule()
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
        net_revenue_expenditure=_nre(fin, deflator),
    )


def _nre(fin: pd.DataFrame, deflator: Mapping[str, float]) -> float:
    """2010-11 net revenue expenditure, £ thousand (2010-11 prices are cash in 2010-11)."""
    row = fin[(fin["year"] == cuts.BASE_YEAR) & (fin["item"] == "net_revenue_expenditure")]["gbp_thousand"]
    v = float(row.sum()) if not row.empty else 0.0
    return v if np.isfinite(v) else 0.0


@functools.lru_cache(maxsize=1)
def _central_base_rule() -> tuple[tuple[str, ...], float]:
    from sharedservices.inputs import assumptions

    return (tuple(str(y) for y in assumptions.value("programmes.central_services_base_years")),
            float(assumptions.value("programmes.central_services_instability")))


@functools.lru_cache(maxsize=2048)
def _resolve(code: str) -> str:
    from sharedservices.inputs import data

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
    return _council_inputs(_resolve(council))


@dataclass(frozen=True)
class ModelDefaults:
    """The cited defaults the model uses (see :func:`defaults_from_assumptions`)."""

    sr2010_ratio: np.ndarray  # real funding relative to 2010-11, from 2010-11 to 2014-15
    sr2010_total_cut: float
    sr2010_period_years: int
    demand_growth: Mapping[str, float]
    terms: financing.FinancingTerms
    optimism: Mapping[str, reference_class.Adjustment]
    spreads: Mapping[str, float]
    benchmarks: Mapping[str, float]
    presets: Mapping[str, programmes.Programme] = field(default_factory=dict)
    frontline_cut_persistence: float = 0.0
    exit_cost_ratio: float = 0.0
    delay_cost_correlation: float = 0.0
    tornado_percentiles: tuple[float, float] = (10.0, 90.0)


@functools.lru_cache(maxsize=1)
def defaults_from_assumptions() -> ModelDefaults:
    """Read every default the model needs from ``data/assumptions`` (cached)."""
    from sharedservices.inputs import assumptions

    v = assumptions.value
    ratio = cuts.sr2010_path(1.0, 4)
    return ModelDefaults(
        sr2010_ratio=ratio,
        sr2010_total_cut=float(v("sr2010.real_terms_cut")),
        sr2010_period_years=int(v("sr2010.period_years")),
        demand_growth={
            "adult_social_care": float(v("demand.adult_social_care_real_growth")),
            "childrens_social_care": float(v("demand.childrens_social_care_real_growth")),
        },
        terms=financing.terms_from_assumptions(),
        optimism={n: reference_class.adjustment(n) for n in reference_class.ADJUSTMENTS},
        spreads={k: float(v(f"programmes.spread.{k}")) for k in ("savings_rate", "one_off_cost", "delay_years", "ramp_years")},
        benchmarks={
            "back_office_realistic_share_of_tse": float(v("savings_evidence.back_office_realistic")),
            "back_office_best_case_share_of_tse": float(v("savings_evidence.back_office_best_case")),
            "ambitious_target_share_of_tse": float(v("savings_evidence.ambitious_target")),
        },
        presets={n: programmes.preset(n) for n in programmes.preset_names()},
        frontline_cut_persistence=float(v("frontline.cut_persistence")),
        exit_cost_ratio=float(v("uncertainty.exit_cost_ratio")),
        delay_cost_correlation=float(v("uncertainty.delay_cost_correlation")),
        tornado_percentiles=tuple(float(x) for x in v("uncertainty.tornado_percentiles")),  # type: ignore[arg-type]
    )


def clear_cache() -> None:
    """Forget cached council inputs and assumption defaults."""
    _council_inputs.cache_clear()
    _tables.cache_clear()
    _resolve.cache_clear()
    _central_base_rule.cache_clear()
    defaults_from_assumptions.cache_clear()
    _discount.cache_clear()
    cuts._actual.cache_clear()


@functools.lru_cache(maxsize=256)
def _discount(horizon: int, discount: float | str) -> np.ndarray:
    return finance.discount_factors(np.arange(horizon + 1), discount)


# --------------------------------------------------------------------------------------
# Running a scenario
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """The result of one scenario.

    Attributes
    ----------
    timing : pandas.DataFrame
        The year-by-year table of :func:`sharedservices.model.gap.timing_table`.
    metrics : dict
        JSON-friendly headline metrics (see :func:`run_scenario`).
    arrays : GapResult
        The underlying arrays.
    settings : dict
        The resolved parameters (defaults filled in), for provenance.
    council : CouncilInputs or None
        The council's inputs the scenario ran on.
    programme : Programme or None
        The programme as run (failure probability applied).
    optimism : Adjustment or None
        The optimism-bias adjustment applied.
    """

    timing: pd.DataFrame
    metrics: dict[str, Any]
    arrays: gap.GapResult
    settings: dict[str, Any]
    council: CouncilInputs | None = None
    programme: programmes.Programme | None = None
    optimism: reference_class.Adjustment | None = None


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _programme(programme: str | programmes.Programme, d: ModelDefaults) -> programmes.Programme:
    if isinstance(programme, programmes.Programme):
        return programme
    if programme not in d.presets:
        raise InputError(f"programme: {programme!r} is not a preset (allowed: {', '.join(d.presets)})")
    return d.presets[programme]


def _check_range(name: str, v: float, lo: float, hi: float) -> None:
    if not (lo <= v <= hi) or (isinstance(v, float) and math.isnan(v)):
        raise InputError(f"{name}: {v!r} (allowed: {lo:g} to {hi:g})")


def _optimism(on: bool, which: str | reference_class.Adjustment, d: ModelDefaults) -> reference_class.Adjustment:
    """The optimism-bias adjustment a scenario applies."""
    if not isinstance(on, bool | np.bool_):
        raise InputError(f"optimism_bias: {on!r} (allowed: true or false)")
    if isinstance(which, reference_class.Adjustment):
        return which if on else reference_class.NONE
    if which not in d.optimism:
        raise InputError(f"optimism_adjustment: {which!r} (allowed: {', '.join(d.optimism)})")
    return d.optimism[which] if on else reference_class.NONE


def scenario_inputs(
    council: str | CouncilInputs,
    programme: str | programmes.Programme = "back_office",
    *,
    cut_path: CutPath = "sr2010",
    front_loading: float | None = None,
    total_cut: float | None = None,
    cut_years: int | None = None,
    horizon: int = 10,
    savings_multiplier: float = 1.0,
    one_off_cost_multiplier: float = 1.0,
    delay_years: float = 0.0,
    ramp_years: float | None = None,
    ramp_multiplier: float = 1.0,
    optimism_bias: bool = True,
    optimism_adjustment: str | reference_class.Adjustment = "reference_class",
    failure_probability: float | None = None,
    frontline_cut_persistence: float | None = None,
    capitalisation_direction: bool = False,
) -> dict[str, Any]:
    """Resolve a scenario's parameters into the arrays the model runs on.

    Returns a dict with ``council`` (CouncilInputs), ``programme``, ``arrays``
    (ProgrammeArrays), ``path``, ``pressure``, ``gap``, ``n`` (cut years), ``savings_rate``,
    ``one_off_ratio``, ``lead``, ``ramp``, ``running_ratio`` (per service, after
    multipliers and optimism bias), ``persistence`` (of front-line cuts), ``terms``
    (FinancingTerms), ``capital_share`` (of the one-off cost), ``reserves_minimum`` and
    ``reserves_available`` (usable reserves above it, £ thousand), ``defaults`` and
    ``settings``.  Used by :func:`run_scenario` and by :mod:`sharedservices.model.uncertainty`.
    """
    d = defaults_from_assumptions()
    ci = council_inputs(council)
    if int(horizon) != horizon or not 1 <= horizon <= 60:
        raise InputError(f"horizon: {horizon!r} (allowed: a whole number of years, 1 to 60)")
    h = int(horizon)
    _check_range("savings_multiplier", savings_multiplier, 0.0, 10.0)
    _check_range("one_off_cost_multiplier", one_off_cost_multiplier, 0.0, 20.0)
    _check_range("delay_years", delay_years, 0.0, 20.0)
    if ramp_years is not None:
        _check_range("ramp_years", ramp_years, 0.0, 20.0)
    _check_range("ramp_multiplier", ramp_multiplier, 0.0, 10.0)
    if cut_path not in CUT_PATHS:
        raise InputError(f"cut_path: {cut_path!r} (allowed: {', '.join(CUT_PATHS)})")
    if cut_path != "parametric" and (front_loading is not None or total_cut is not None):
        raise InputError(
            f"front_loading/total_cut: set with cut_path={cut_path!r} (allowed: only with cut_path='parametric')"
        )
    persistence = d.frontline_cut_persistence if frontline_cut_persistence is None else frontline_cut_persistence
    _check_range("frontline_cut_persistence", persistence, 0.0, 1.0)
    settings: dict[str, Any] = {"council": ci.ecode, "cut_path": cut_path, "horizon": h,
                                "frontline_cut_persistence": float(persistence),
                                "capitalisation_direction": bool(capitalisation_direction)}
    if cut_path == "sr2010":
        path = ci.base_funding * cuts.extend_path(d.sr2010_ratio, h)
        n = cuts.path_cut_years(path, cut_years if cut_years is not None else d.sr2010_period_years)
    elif cut_path == "actual":
        path = cuts.extend_path(ci.actual_funding, h)
        n = cuts.path_cut_years(path, cut_years if cut_years is not None else len(ci.actual_funding) - 1)
    else:
        sr_phi = cuts.front_loading_index(1.0 - d.sr2010_ratio[1 : d.sr2010_period_years + 1])
        phi = sr_phi if front_loading is None else front_loading
        c = d.sr2010_total_cut if total_cut is None else total_cut
        n = d.sr2010_period_years if cut_years is None else cut_years
        path = cuts.parametric_path(c, n, float(phi if phi is not None else 0.0), h, ci.base_funding)
        settings.update(front_loading=phi, total_cut=c)
    n = min(int(n), h)
    settings["cut_years"] = n
    growth = d.demand_growth
    pressure = cuts.demand_pressure([ci.spend.get(s, 0.0) for s in growth], list(growth.values()), h)
    prog = _programme(programme, d)
    if failure_probability is not None:
        _check_range("failure_probability", failure_probability, 0.0, 1.0)
        prog = prog.with_failure_probability(failure_probability)
    arrays = programmes.programme_arrays(prog, ci.programme_spend)
    ob = _optimism(optimism_bias, optimism_adjustment, d)
    cap, dur, opx = ob.one_off_cost, ob.duration, ob.running_cost
    base_ramp = arrays.ramp * ramp_multiplier if ramp_years is None else np.full_like(arrays.ramp, float(ramp_years))
    settings.update(
        programme=prog.name,
        start_year=int(prog.start_year),
        services=list(prog.service_slugs),
        savings_multiplier=savings_multiplier,
        one_off_cost_multiplier=one_off_cost_multiplier,
        delay_years=delay_years,
        ramp_years=ramp_years,
        ramp_multiplier=ramp_multiplier,
        optimism_bias=bool(optimism_bias),
        optimism_adjustment=ob.name,
        optimism_bias_uplifts=ob.as_dict(),
        failure_probability=[float(x) for x in arrays.failure_probability],
    )
    terms = replace(d.terms, capitalisation_direction=bool(capitalisation_direction))
    minimum = terms.reserves_minimum_share * ci.net_revenue_expenditure
    one_off_ratio = arrays.one_off_ratio * one_off_cost_multiplier * (1.0 + cap)
    return {
        "council": ci,
        "programme": prog,
        "arrays": arrays,
        "persistence": float(persistence),
        "terms": terms,
        "capital_share": arrays.capital_fraction(one_off_ratio),
        "reserves_minimum": minimum,
        "reserves_available": max(ci.usable_reserves - minimum, 0.0),
        "path": path,
        "pressure": pressure,
        "gap": cuts.funding_gap(path, pressure),
        "n": n,
        "optimism": ob,
        "exit_cost_ratio": d.exit_cost_ratio,
        "savings_rate": arrays.savings_rate * savings_multiplier * (1.0 - ob.savings_shortfall),
        "one_off_ratio": one_off_ratio,
        "lead": arrays.lead * (1.0 + dur) + ob.delay_years + delay_years,
        "ramp": base_ramp * (1.0 + dur),
        "running_ratio": arrays.running_ratio * (1.0 + opx),
        "defaults": d,
        "settings": settings,
    }


def run_scenario(
    council: str | CouncilInputs,
    programme: str | programmes.Programme = "back_office",
    financing: str = "reserves",
    cut_path: CutPath = "sr2010",
    front_loading: float | None = None,
    total_cut: float | None = None,
    cut_years: int | None = None,
    horizon: int = 10,
    discount: float | str = "green_book",
    savings_multiplier: float = 1.0,
    one_off_cost_multiplier: float = 1.0,
    delay_years: float = 0.0,
    ramp_years: float | None = None,
    ramp_multiplier: float = 1.0,
    optimism_bias: bool = True,
    optimism_adjustment: str | reference_class.Adjustment = "reference_class",
    protect: Iterable[str] = (),
    failure_probability: float | None = None,
    frontline_cut_persistence: float | None = None,
    capitalisation_direction: bool = False,
) -> ScenarioResult:
    """Run one deterministic scenario (expected values, survival-weighted).

    Parameters
    ----------
    council : str or CouncilInputs
        RS or ONS code, or prepared inputs (tests, what-ifs).
    programme : str or Programme
        A preset name (``back_office``, ``back_office_waste``, ``broad``,
        ``public_realm``) or a :class:`~sharedservices.model.programmes.Programme`.
    financing : {"reserves", "borrowing", "gain_share", "grant", "revenue"}
    cut_path : {"sr2010", "actual", "parametric"}
    front_loading, total_cut, cut_years : optional
        Parametric path phi, C and N (None: the SR2010 national path's index, the cited
        real-terms cut and the SR period).  ``cut_years`` also sets N for the even-path
        comparison of the other paths (default: SR period; actual: the last data year).
    horizon : int
        Last year index H (years 0..H).
    discount : float or "green_book"
    savings_multiplier, one_off_cost_multiplier : float
        Scale the cited savings rates and one-off costs.
    delay_years : float
        Extra years before any saving (added after optimism bias).
    ramp_years : float, optional
        Replace every service's ramp (before optimism bias).
    ramp_multiplier : float
        Scale the cited ramp-up durations (before optimism bias; ignored where
        ``ramp_years`` is given).
    optimism_bias : bool
        Apply an optimism-bias adjustment (False: the cited central estimates as they are).
    optimism_adjustment : str or Adjustment
        Which: ``reference_class`` (default; from what shared-service partnerships planned
        and delivered, :mod:`sharedservices.model.reference_class`), ``green_book_lower`` or
        ``green_book_upper`` (the Green Book table's bounds for the mapped category), or an
        :class:`~sharedservices.model.reference_class.Adjustment` (e.g. one leaving a case out).
    protect : iterable of str
        Services protected from front-line cuts.
    failure_probability : float, optional
        Annual partnership failure probability (None: cited default).
    frontline_cut_persistence : float, optional
        Share of a front-line cut not restored when money later allows (None: cited
        default ``frontline.cut_persistence``; 0 restores every cut).
    capitalisation_direction : bool
        Assume a capitalisation direction, so borrowing may also pay the revenue part of
        the one-off cost.

    Returns
    -------
    ScenarioResult
        ``metrics`` keys include ``payback_year``, ``npv_gbp_thousand`` (programme cash
        flow, before financing), ``budget_effect_pv_gbp_thousand`` (the effect on the revenue
        budget and reserves under the financing, at the same rate), ``irr``,
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
    """
    si = scenario_inputs(
        council,
        programme,
        cut_path=cut_path,
        front_loading=front_loading,
        total_cut=total_cut,
        cut_years=cut_years,
        horizon=horizon,
        savings_multiplier=savings_multiplier,
        one_off_cost_multiplier=one_off_cost_multiplier,
        delay_years=delay_years,
        ramp_years=ramp_years,
        ramp_multiplier=ramp_multiplier,
        optimism_bias=optimism_bias,
        optimism_adjustment=optimism_adjustment,
        failure_probability=failure_probability,
        frontline_cut_persistence=frontline_cut_persistence,
        capitalisation_direction=capitalisation_direction,
    )
    ci: CouncilInputs = si["council"]
    d: ModelDefaults = si["defaults"]
    years = np.arange(si["path"].size)
    gross, running, one_off = programmes.service_profiles(
        si["arrays"],
        years,
        savings_rate=si["savings_rate"],
        one_off_ratio=si["one_off_ratio"],
        lead=si["lead"],
        ramp=si["ramp"],
        running_ratio=si["running_ratio"],
        exit_cost_ratio=si["exit_cost_ratio"],
    )
    ff = _financing(financing, one_off, gross, si)
    res = gap.GapResult(si["path"], si["gap"], gross, running, one_off, ff.financing, ff.reserves_draw,
                        si["persistence"], capital_receipts=ff.capital_receipts if ff.capital_receipts.size else None)
    protect = tuple(protect)
    timing = gap.timing_table(res, ci.spend, si["programme"].service_slugs, protect)
    dfs = _discount(int(years[-1]), discount)
    metrics = _metrics(res, si, ci, d, dfs, timing, ff)
    settings = {**si["settings"], "financing": ff.option, "discount": discount, "protect": list(protect),
                "partner_share": None if ff.partner is None else float(ff.partner.share)}
    return ScenarioResult(timing=timing, metrics=metrics, arrays=res, settings=settings, council=ci,
                          programme=si["programme"], optimism=si["optimism"])


def rerun(result: ScenarioResult, **overrides: Any) -> ScenarioResult:
    """Run a scenario again with some of its parameters changed (e.g. ``optimism_bias=False``
    for the answer without the adjustment).

    Examples
    --------
    >>> r = run_scenario("E2532", "back_office", horizon=6)
    >>> rerun(r, optimism_bias=False).metrics["one_off_cost_gbp_thousand"] < r.metrics["one_off_cost_gbp_thousand"]
    True
    """
    st = result.settings
    if result.council is None or result.programme is None:
        raise InputError("rerun: the result does not carry its council and programme (allowed: a run_scenario result)")
    kw: dict[str, Any] = {
        k: st[k] for k in ("financing", "cut_path", "cut_years", "horizon", "discount", "savings_multiplier",
                           "one_off_cost_multiplier", "delay_years", "ramp_years", "ramp_multiplier", "optimism_bias",
                           "protect", "frontline_cut_persistence", "capitalisation_direction") if k in st
    }
    if st.get("cut_path") == "parametric":
        kw.update(front_loading=st["front_loading"], total_cut=st["total_cut"])
    kw["optimism_adjustment"] = result.optimism if result.optimism is not None and result.optimism.name != "none" \
        else st.get("optimism_adjustment", "reference_class")
    if kw["optimism_adjustment"] == "none":
        kw["optimism_adjustment"] = "reference_class"
    programme = overrides.pop("programme_override", None) or result.programme
    kw.update(overrides)
    return run_scenario(result.council, programme, **kw)


#: Keys a notebook schema may add to the scenario fields that the scenario itself ignores
#: (the Monte Carlo's, read by :func:`monte_carlo_from_params`).
MONTE_CARLO_PARAMS = ("draws", "seed")


def scenario_kwargs_from_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Translate :class:`~sharedservices.report.params.scenario_fields.ScenarioParams` fields
    into :func:`run_scenario` keyword arguments.

    Missing fields take the schema's defaults; ``draws`` and ``seed`` are ignored (see
    :func:`monte_carlo_from_params`).  ``total_cut_multiplier`` becomes ``total_cut`` =
    multiplier x the cited SR2010 real-terms cut (``sr2010.real_terms_cut``, a fraction of
    2010-11 funding); ``front_loading`` and ``total_cut_multiplier`` shape only the
    parametric path and are dropped for ``sr2010`` and ``actual``.  ``discount="none"``
    becomes a rate of 0.0; ``"green_book"`` stays the Green Book declining schedule.

    Raises
    ------
    InputError
        An unknown name or a value the schema does not allow (one line).

    Examples
    --------
    >>> kw = scenario_kwargs_from_params({"council": "E2532", "discount": "none"})
    >>> kw["discount"], kw["cut_path"], "total_cut" in kw
    (0.0, 'sr2010', False)
    >>> kw = scenario_kwargs_from_params({"cut_path": "parametric", "total_cut_multiplier": 2.0})
    >>> kw["total_cut"] == 2.0 * defaults_from_assumptions().sr2010_total_cut
    True
    >>> scenario_kwargs_from_params({"horizon": 2})
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: parameter 'horizon': 2 is not allowed (Input should be greater than or equal to 4)
    """
    from pydantic import ValidationError

    from sharedservices.report.params.scenario_fields import ScenarioParams

    fields = ScenarioParams.model_fields
    if not isinstance(params, Mapping):
        raise InputError(f"scenario parameters: {params!r} is not a mapping (allowed: name: value pairs)")
    unknown = [k for k in params if k not in fields and k not in MONTE_CARLO_PARAMS]
    if unknown:
        raise InputError(f"parameter {unknown[0]!r}: unknown scenario parameter (allowed: {', '.join(fields)})")
    given = {k: v for k, v in params.items() if k in fields}
    council = given.pop("council", fields["council"].default)
    try:
        p = ScenarioParams.model_validate(given).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        raise InputError(f"parameter {key!r}: {given.get(key)!r} is not allowed ({err['msg']})") from None
    if not isinstance(council, str):
        raise InputError(f"parameter 'council': {council!r} is not a code (allowed: an RS code such as E0101 or an ONS code)")
    _resolve(council)  # cached look-up (the schema's own check is not): InputError naming the council
    p["council"] = council
    kw: dict[str, Any] = {
        k: p[k]
        for k in ("council", "programme", "financing", "cut_path", "horizon", "savings_multiplier",
                  "one_off_cost_multiplier", "delay_years", "ramp_multiplier", "optimism_bias",
                  "optimism_adjustment", "frontline_cut_persistence", "capitalisation_direction")
    }
    kw["discount"] = 0.0 if p["discount"] == "none" else p["discount"]
    if p["cut_path"] == "parametric":
        kw["front_loading"] = p["front_loading"]
        kw["total_cut"] = p["total_cut_multiplier"] * defaults_from_assumptions().sr2010_total_cut
    return kw


def run_from_params(params: Mapping[str, Any]) -> ScenarioResult:
    """Run the scenario a notebook's (or the explorer's) parameters describe.

    Parameters
    ----------
    params : mapping
        ScenarioParams fields by name (missing ones take the schema's defaults); see
        :func:`scenario_kwargs_from_params` for how they map onto :func:`run_scenario`.

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> r = run_from_params({"council": "E2532", "horizon": 6})
    >>> r.metrics["council"], r.metrics["horizon"], len(r.timing)
    ('E2532', 6, 7)
    """
    return run_scenario(**scenario_kwargs_from_params(params))


def monte_carlo_from_params(params: Mapping[str, Any], *, draws: int | None = None, seed: int | None = None) -> Any:
    """Monte Carlo (:func:`sharedservices.model.uncertainty.monte_carlo`) around ``params``.

    ``draws`` and ``seed`` come from the arguments, else from ``params``, else 10 000
    draws and :data:`sharedservices.model.uncertainty.DEFAULT_SEED`.

    Returns
    -------
    sharedservices.model.uncertainty.MonteCarloResult

    Examples
    --------
    >>> mc = monte_carlo_from_params({"council": "E2532", "horizon": 6, "draws": 50, "seed": 1})
    >>> mc.net_savings.shape
    (50, 7)
    """
    from sharedservices.model import uncertainty

    kw = scenario_kwargs_from_params(params)
    n = draws if draws is not None else params.get("draws", 10_000)
    s = seed if seed is not None else params.get("seed", uncertainty.DEFAULT_SEED)
    council, programme, option = kw.pop("council"), kw.pop("programme"), kw.pop("financing")
    return uncertainty.monte_carlo(council, programme, option, draws=n, seed=s, **kw)


def _financing(option: str, one_off: np.ndarray, gross: np.ndarray, si: Mapping[str, Any],
               partner: financing.PartnerTerms | None = None) -> financing.FinancingFlows:
    if option not in financing.FINANCING_OPTIONS:
        raise InputError(f"financing: {option!r} is not an option (allowed: {', '.join(financing.FINANCING_OPTIONS)})")
    return financing.financing_flows(option, one_off, gross, si["programme"].start_year, si["terms"],  # type: ignore[arg-type]
                                     capital_share=si["capital_share"], reserves_available=si["reserves_available"],
                                     partner=partner)


def _metrics(
    res: gap.GapResult,
    si: dict[str, Any],
    ci: CouncilInputs,
    d: ModelDefaults,
    dfs: np.ndarray,
    timing: pd.DataFrame,
    ff: financing.FinancingFlows,
) -> dict[str, Any]:
    path, n = si["path"], si["n"]
    h = path.size - 1
    core = ci.core_spending
    tse = ci.total_service_expenditure
    even = cuts.even_path(path, n)
    gap_even = cuts.funding_gap(even, si["pressure"])
    cash = res.programme_cash_flow
    net = res.net_savings
    budget = res.budget_effect
    pers = float(si["persistence"])

    def penalties(p: float) -> tuple[float, float, float, float]:
        cum_ = gap.cumulative_cuts(res.residual_gap, p)
        cum_even_ = gap.cumulative_cuts(gap_even - net, p)
        none_ = gap.cumulative_cuts(res.funding_gap, p)
        none_even_ = gap.cumulative_cuts(gap_even, p)
        return cum_, cum_ - cum_even_, none_, none_ - none_even_

    cum, penalty, cum_none, penalty_none = penalties(pers)
    by_persistence = {}
    for label, p in (("none", 0.0), ("default", pers), ("full", 1.0)):
        _, pen_, _, pen_none_ = penalties(p)
        by_persistence[label] = {"persistence": p, "penalty_gbp_thousand": pen_,
                                 "penalty_no_programme_gbp_thousand": pen_none_,
                                 "absorbed_share": gap.penalty_absorbed_share(pen_none_, pen_)}
    cov = gap.coverage(net, res.funding_gap)
    arrays = replace(si["arrays"], savings_rate=si["savings_rate"], running_ratio=si["running_ratio"])
    ss = programmes.steady_state_saving(arrays)
    draws = res.reserves_draw + res.frontline_cuts
    pb = finance.payback_year(cash)
    pb_budget = finance.payback_year(budget)
    fli = cuts.front_loading_index(path[0] - path[1 : n + 1])
    sr_n = min(d.sr2010_period_years, h)
    fli_sr = cuts.front_loading_index(path[0] - path[1 : sr_n + 1])
    partner = ff.partner
    start = int(si["programme"].start_year)

    def share(x: float, base: float) -> float | None:
        return None if base <= 0 else float(x) / base

    bo = [i for i, svc in enumerate(arrays.services) if svc == si["programme"].overhead_service]
    bo_gross = float(arrays.addressable[bo[0]] * arrays.savings_rate[bo[0]]) if bo else None

    return {
        "council": ci.ecode,
        "council_name": ci.name,
        "programme": si["programme"].name,
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
        **{f"benchmark_{k}": v for k, v in d.benchmarks.items()},
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
        "one_off_capital_share": float(si["capital_share"]),
        "financing_fallback": ff.fallback,
        "partner_share": None if partner is None else float(partner.share),
        "partner_feasible": None if partner is None else bool(partner.feasible),
        "partner_irr": None if partner is None or not partner.feasible else partner.irr_nominal,
        # infeasible: what the partner would get from all of the savings in its term
        "partner_best_irr": None if partner is None or partner.feasible else partner.irr_nominal,
        "partner_npv_at_hurdle_gbp_thousand": None if partner is None else partner.npv_at_hurdle,
        "borrowing_rate_real": si["terms"].real_borrowing_rate,
        "partner_hurdle_nominal": si["terms"].partner_hurdle_nominal,
        "partner_term_years": si["terms"].partner_term_years,
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
        "front_loading_penalty_absorbed_share": gap.penalty_absorbed_share(penalty_none, penalty),
        "usable_reserves_gbp_thousand": ci.usable_reserves,
        "reserves_minimum_gbp_thousand": float(si["reserves_minimum"]),
        "reserves_available_gbp_thousand": float(si["reserves_available"]),
        "reserves_draw_gbp_thousand": float(res.reserves_draw.sum()),
        "reserves_sufficient": bool(float(ff.revenue_one_off.sum()) <= 1e-9) if ff.option in ("reserves", "grant") else None,
        "reserves_left_for_gap_gbp_thousand": float(si["reserves_available"] - res.reserves_draw.sum()),
        "reserves_exhausted_year": financing.reserves_exhausted_year(float(si["reserves_available"]), draws),
        "reserves_exhausted_year_without_programme": financing.reserves_exhausted_year(
            float(si["reserves_available"]), gap.frontline_cuts(res.funding_gap, pers)),
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


def sr2010_lg_del_ratio() -> np.ndarray:
    """Real SR2010 plans for the whole local government DEL (formula grant, freeze grant and
    other DCLG grants, ``sr2010.lg_resource_del_cash_gbp_bn``) relative to 2010-11, years 0..N.

    Examples
    --------
    >>> r = sr2010_lg_del_ratio()
    >>> float(r[0]), bool(r[-1] < r[1] < 1)
    (1.0, True)
    """
    from sharedservices.inputs import assumptions

    n = defaults_from_assumptions().sr2010_period_years
    return cuts.sr2010_path(1.0, n, cash_profile=assumptions.value("sr2010.lg_resource_del_cash_gbp_bn"))


def sr2010_front_loading_index() -> float | None:
    """Front-loading index of the SR2010 national profile over the SR period (real terms).

    Examples
    --------
    >>> 0 < sr2010_front_loading_index() < 1
    True
    """
    d = defaults_from_assumptions()
    return cuts.front_loading_index(1.0 - d.sr2010_ratio[1 : d.sr2010_period_years + 1])


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
    from sharedservices.inputs import data

    codes = data.select_councils("all") if councils is None else list(councils)
    n = defaults_from_assumptions().sr2010_period_years
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
