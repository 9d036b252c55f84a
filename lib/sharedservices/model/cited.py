"""The cited defaults: every value the model takes from ``data/assumptions``, read here.

The model's arithmetic (:mod:`.cuts`, :mod:`.programmes`, :mod:`.finance`, :mod:`.financing`,
:mod:`.gap`, :mod:`.reference_class`, :mod:`.scale`, :mod:`.partners`) reads no file: what it
needs is passed in, and this module is where the scenario, the Monte Carlo and the national
and case-study views fetch it (an import-linter contract in ``pyproject.toml`` says so).

Each reader is cached with :func:`sharedservices.inputs.assumptions.cached`: it reads its
values once per process (per assumptions directory) and tells every active
:class:`~sharedservices.inputs.assumptions.Recording`, on every call, which keys it rests on.
A report's table of the assumptions it used is therefore exactly what its run read, however
warm the caches.  Call :func:`sharedservices.inputs.assumptions.clear_cache` after editing an
assumptions file in a running process.

Values returned are shared by every caller: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from sharedservices.errors import InputError
from sharedservices.inputs import assumptions
from sharedservices.inputs.assumptions import cached
from sharedservices.model import cuts, finance, financing, programmes, reference_class
from sharedservices.model.spec import OPTIMISM_ADJUSTMENTS

__all__ = [
    "ModelDefaults",
    "adjustment",
    "benchmarks",
    "central_services_base_rule",
    "defaults",
    "deflator",
    "delay_cost_correlation",
    "demand_growth",
    "distance_bands_km",
    "exit_cost_ratio",
    "financing_terms",
    "frontline_cut_persistence",
    "green_book",
    "green_book_schedule",
    "near_km",
    "preset",
    "preset_names",
    "rate",
    "reference_pairs",
    "spreads",
    "sr2010_lg_del_ratio",
    "sr2010_period_years",
    "sr2010_ratio",
    "sr2010_total_cut",
    "tornado_percentiles",
]

v = assumptions.value


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@cached
def deflator() -> dict[str, float]:
    """GDP deflator index by financial year (``prices.gdp_deflator``)."""
    return {str(k): float(x) for k, x in v("prices.gdp_deflator").items()}


@cached
def green_book_schedule() -> list[dict[str, Any]]:
    """The Green Book declining discount-rate schedule (``discounting.green_book_schedule``).

    Examples
    --------
    >>> green_book_schedule()[0]["rate"]
    0.035
    """
    return finance.check_schedule(v("discounting.green_book_schedule"))


def rate(discount: str | float) -> float | list[dict[str, Any]]:
    """A scenario's discount as the appraisal takes it: ``"green_book"`` -> the cited schedule,
    ``"none"`` -> 0.0, a number -> that flat real rate."""
    if discount == "green_book":
        return green_book_schedule()
    if discount == "none":
        return 0.0
    if isinstance(discount, str):
        raise InputError(f"discount: {discount!r} is not a schedule (allowed: green_book, none or a real rate)")
    return float(discount)


@cached
def sr2010_ratio() -> np.ndarray:
    """Real SR2010 formula-grant plans relative to 2010-11, years 0..4
    (``sr2010.formula_grant_cash_gbp_bn`` deflated)."""
    return _frozen(cuts.sr2010_path(1.0, 4, cash_profile=v("sr2010.formula_grant_cash_gbp_bn"),
                                    deflator=deflator()))


@cached
def sr2010_lg_del_ratio() -> np.ndarray:
    """Real SR2010 plans for the whole local government DEL (formula grant, freeze grant and
    other DCLG grants, ``sr2010.lg_resource_del_cash_gbp_bn``) relative to 2010-11, years 0..N.

    Examples
    --------
    >>> r = sr2010_lg_del_ratio()
    >>> float(r[0]), bool(r[-1] < r[1] < 1)
    (1.0, True)
    """
    return _frozen(cuts.sr2010_path(1.0, sr2010_period_years(), cash_profile=v("sr2010.lg_resource_del_cash_gbp_bn"),
                                    deflator=deflator(), what="sr2010.lg_resource_del_cash_gbp_bn"))


@cached
def sr2010_period_years() -> int:
    """Years of the Spending Review period (``sr2010.period_years``)."""
    return int(v("sr2010.period_years"))


@cached
def sr2010_total_cut() -> float:
    """The SR2010 real-terms cut, a fraction of 2010-11 funding (``sr2010.real_terms_cut``)."""
    return float(v("sr2010.real_terms_cut"))


@cached
def demand_growth() -> dict[str, float]:
    """Real demand growth a year of the pressured services (``demand.*``)."""
    return {"adult_social_care": float(v("demand.adult_social_care_real_growth")),
            "childrens_social_care": float(v("demand.childrens_social_care_real_growth"))}


@cached
def financing_terms() -> financing.FinancingTerms:
    """Financing terms from ``data/assumptions/financing.yaml`` (no capitalisation direction)."""
    return financing.FinancingTerms(
        pwlb_rate_nominal=float(v("financing.pwlb_rate_nominal")),
        inflation=float(v("financing.inflation_assumption")),
        asset_life_years=int(v("financing.asset_life_years")),
        capitalised_life_years=int(v("financing.capitalised_revenue_life_years")),
        partner_hurdle_nominal=float(v("financing.partner_hurdle_rate_nominal")),
        partner_term_years=int(v("financing.partner_contract_years")),
        grant_share=float(v("financing.invest_to_save_grant_share")),
        reserves_minimum_share=float(v("financing.reserves_minimum_share")),
        capitalisation_direction=False,
        flexible_receipts_from_year=cuts.year_index(str(v("financing.flexible_capital_receipts_from"))),
    )


# --------------------------------------------------------------------------------------
# Programme presets
# --------------------------------------------------------------------------------------

_SERVICE_FIELDS = ("addressable_share", "savings_rate", "one_off_cost_ratio", "lead_time_years", "ramp_years",
                   "running_cost_ratio")


def preset_names() -> list[str]:
    """Names of the programme presets in ``data/assumptions/programmes.yaml`` (names only).

    Examples
    --------
    >>> preset_names()
    ['back_office', 'back_office_waste', 'broad', 'public_realm']
    """
    prefix = "programmes.preset."
    return sorted(k[len(prefix):] for k in assumptions.keys(prefix))


def _capital_share(slug: str) -> float:
    own = f"programmes.service.{slug}.one_off_capital_share"
    if assumptions.keys(own) == [own]:
        return float(v(own))
    others = v("programmes.one_off_capital_share_other_services")
    if slug not in others:
        raise InputError(f"programmes.one_off_capital_share_other_services: no share for {slug!r} "
                         "(allowed: give one per service)")
    return float(others[slug])


def _service(slug: str) -> programmes.ServiceShare:
    vals: dict[str, float] = {}
    for f in _SERVICE_FIELDS:
        a = assumptions.get(f"programmes.service.{slug}.{f}")
        x = float(a.value)
        if f in ("one_off_cost_ratio", "running_cost_ratio") and "saving" in a.unit.lower() \
                and "spend" not in a.unit.lower():
            # stated as a multiple of the annual saving: convert to addressable spend
            x *= float(v(f"programmes.service.{slug}.savings_rate"))
        vals[f] = x
    return programmes.ServiceShare(slug, **vals, capital_share=_capital_share(slug))


@cached
def preset(name: str, start_year: int = 1) -> programmes.Programme:
    """A programme preset built from the cited values in ``data/assumptions``.

    ``name`` is one of :func:`preset_names` (``programmes.preset.*``).  One-off and
    running-cost ratios stated in the assumptions as multiples of the annual gross saving are
    converted to fractions of addressable spend (times the savings rate).  The back-office
    overhead share applies when the preset shares ``central``.

    Raises
    ------
    InputError
        Unknown preset (the message lists those defined).

    Examples
    --------
    >>> preset("back_office").service_slugs
    ('central',)
    """
    names = preset_names()
    if name not in names:
        raise InputError(f"programme: {name!r} is not a preset (allowed: {', '.join(names)})")
    slugs = list(v(f"programmes.preset.{name}"))
    return programmes.Programme(
        name=name,
        services=tuple(_service(s) for s in slugs),
        start_year=start_year,
        failure_probability=float(v("programmes.partnership.annual_failure_probability")),
        back_office_overhead_share=float(v("programmes.back_office_overhead_share")),
        overhead_services=tuple(str(x) for x in v("programmes.back_office_overhead_services")),
    )


@cached
def central_services_base_rule() -> tuple[tuple[str, ...], float]:
    """Years of the central-services base and the instability threshold (``programmes.*``)."""
    return (tuple(str(y) for y in v("programmes.central_services_base_years")),
            float(v("programmes.central_services_instability")))


# --------------------------------------------------------------------------------------
# Optimism bias
# --------------------------------------------------------------------------------------


@cached
def green_book(bound: str) -> reference_class.Adjustment:
    """The Green Book table's ``lower`` or ``upper`` bound for the suite's category
    (``optimism_bias.*``)."""
    return reference_class.green_book(bound, v("optimism_bias.table"), v("optimism_bias.shared_services_category"),
                                      v("optimism_bias.shared_services_opex_category"))


def reference_pairs() -> Any:
    """The plan-against-outcome pairs of ``reference_class.*`` (:func:`reference_class.pairs`)."""
    return reference_class.pairs(assumptions.matching("reference_class."))


@cached
def _reference_class(name: str, exclude: tuple[str, ...]) -> reference_class.Adjustment:
    lower = green_book("lower")
    minimum = int(v("reference_class.minimum_cases")) if name == "reference_class" else 1
    adj = reference_class.derive(
        reference_pairs(), exclude=exclude, minimum=minimum,
        floor=float(v("reference_class.savings_shortfall_floor")),
        lower={"capex": lower.one_off_cost, "works_duration": lower.duration, "opex": lower.running_cost})
    if name == "reference_class_all_pairs":
        adj = replace(adj, name=name, quality={c: "red" for c in adj.quality})
    return adj


def adjustment(name: str = "reference_class", exclude: Iterable[str] = ()) -> reference_class.Adjustment:
    """A named optimism-bias adjustment from the shipped assumptions.

    Parameters
    ----------
    name : {"reference_class", "reference_class_all_pairs", "green_book_lower", "green_book_upper", "none"}
        ``reference_class_all_pairs`` takes the medians of whatever pairs exist, even fewer
        than ``reference_class.minimum_cases`` (a sensitivity, rated red).
    exclude : iterable of str
        Cases to leave out of the reference class (ignored by the Green Book bounds).

    Examples
    --------
    >>> adjustment("green_book_upper").one_off_cost
    2.0
    >>> adjustment("reference_class").cases["savings"] >= 5
    True
    """
    if name == "none":
        return reference_class.NONE
    if name not in OPTIMISM_ADJUSTMENTS:
        raise InputError(f"optimism_adjustment: {name!r} (allowed: {', '.join(OPTIMISM_ADJUSTMENTS)})")
    if name.startswith("green_book_"):
        return green_book(name.removeprefix("green_book_"))
    return _reference_class(name, tuple(sorted(set(exclude))))


# --------------------------------------------------------------------------------------
# Uncertainty, persistence, benchmarks, scale
# --------------------------------------------------------------------------------------


@cached
def spreads() -> dict[str, float]:
    """The Monte Carlo's spreads (``programmes.spread.*``)."""
    return {k: float(v(f"programmes.spread.{k}")) for k in ("savings_rate", "one_off_cost", "delay_years",
                                                               "ramp_years")}


@cached
def benchmarks() -> dict[str, float]:
    """NLGN's savings benchmarks as shares of total service expenditure (``savings_evidence.*``)."""
    return {"back_office_realistic_share_of_tse": float(v("savings_evidence.back_office_realistic")),
            "back_office_best_case_share_of_tse": float(v("savings_evidence.back_office_best_case")),
            "ambitious_target_share_of_tse": float(v("savings_evidence.ambitious_target"))}


@cached
def frontline_cut_persistence() -> float:
    """Share of a front-line cut not restored when money returns (``frontline.cut_persistence``)."""
    return float(v("frontline.cut_persistence"))


@cached
def exit_cost_ratio() -> float:
    """Cost of leaving a failed partnership, multiple of a year's saving (``uncertainty.exit_cost_ratio``)."""
    return float(v("uncertainty.exit_cost_ratio"))


@cached
def delay_cost_correlation() -> float:
    """Correlation of the delay and cost-overrun shocks (``uncertainty.delay_cost_correlation``)."""
    return float(v("uncertainty.delay_cost_correlation"))


@cached
def tornado_percentiles() -> tuple[float, float]:
    """Low and high percentiles of the one-way sensitivities (``uncertainty.tornado_percentiles``)."""
    lo, hi = (float(x) for x in v("uncertainty.tornado_percentiles"))
    return lo, hi


@cached
def near_km() -> float:
    """Distance within which a partner counts as near (``scale.near_km``)."""
    return float(v("scale.near_km"))


@cached
def distance_bands_km() -> list[float]:
    """Distance bands of the partner-distance analysis (``scale.distance_bands_km``)."""
    return [float(x) for x in v("scale.distance_bands_km")]


class ModelDefaults:
    """The cited defaults as attributes, each read (and recorded) only when used.

    ``defaults().sr2010_ratio`` is :func:`sr2010_ratio` and so on: a view, with no state of
    its own, so a run records exactly the defaults it touched.
    """

    @property
    def sr2010_ratio(self) -> np.ndarray:
        """:func:`sr2010_ratio`."""
        return sr2010_ratio()

    @property
    def sr2010_total_cut(self) -> float:
        """:func:`sr2010_total_cut`."""
        return sr2010_total_cut()

    @property
    def sr2010_period_years(self) -> int:
        """:func:`sr2010_period_years`."""
        return sr2010_period_years()

    @property
    def demand_growth(self) -> Mapping[str, float]:
        """:func:`demand_growth`."""
        return demand_growth()

    @property
    def terms(self) -> financing.FinancingTerms:
        """:func:`financing_terms`."""
        return financing_terms()

    @property
    def optimism(self) -> Mapping[str, reference_class.Adjustment]:
        """Every named adjustment (reads them all: prefer :func:`adjustment`)."""
        return {n: adjustment(n) for n in OPTIMISM_ADJUSTMENTS}

    @property
    def spreads(self) -> Mapping[str, float]:
        """:func:`spreads`."""
        return spreads()

    @property
    def benchmarks(self) -> Mapping[str, float]:
        """:func:`benchmarks`."""
        return benchmarks()

    @property
    def frontline_cut_persistence(self) -> float:
        """:func:`frontline_cut_persistence`."""
        return frontline_cut_persistence()

    @property
    def exit_cost_ratio(self) -> float:
        """:func:`exit_cost_ratio`."""
        return exit_cost_ratio()

    @property
    def delay_cost_correlation(self) -> float:
        """:func:`delay_cost_correlation`."""
        return delay_cost_correlation()

    @property
    def tornado_percentiles(self) -> tuple[float, float]:
        """:func:`tornado_percentiles`."""
        return tornado_percentiles()


_DEFAULTS = ModelDefaults()


def defaults() -> ModelDefaults:
    """The cited defaults (:class:`ModelDefaults`)."""
    return _DEFAULTS
