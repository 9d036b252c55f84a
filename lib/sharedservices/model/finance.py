"""Appraisal arithmetic: discounting, NPV, IRR, payback, annuities, optimism bias.

Conventions (the suite's, see ``docs/architecture.md``):

* **Years** are integer indices: year 0 is 2010-11, the base year.  ``cashflows[0]`` is
  year 0 and is not discounted (the numpy-financial convention).
* **Money** is real, 2010-11 prices, £ thousand; the Green Book discount rates are real
  rates and apply to these real flows.
* **Signs**: savings and income positive, costs negative.

The Green Book's declining long-term schedule (3.5 % for years 0-30, 3.0 % from year 31,
2.5 % from year 76, ...) is ``discounting.green_book_schedule`` in ``data/assumptions``,
read by :func:`sharedservices.model.cited.green_book_schedule`; every function here takes a
schedule (a list of ``{from_year, to_year, rate}`` records) or a flat rate, and reads no file.

All functions broadcast over leading axes: a 2-D array of cash flows (draws x years) gives
one result per draw, which the Monte Carlo model relies on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from sharedservices.errors import InputError

__all__ = [
    "annuity_payment",
    "discount_factors",
    "check_schedule",
    "irr",
    "npv",
    "optimism_bias_uplift",
    "payback_year",
    "payback_years",
    "rate_in_force",
    "real_rate",
]

Schedule = Sequence[Mapping[str, Any]]
RateSpec = float | Schedule


def check_schedule(schedule: Schedule) -> list[dict[str, Any]]:
    """A discount-rate schedule checked: records ``{from_year, to_year, rate}`` (``to_year``
    None for the open last band), rates real fractions per year, bands in order.

    Examples
    --------
    >>> check_schedule([{"from_year": 0, "to_year": None, "rate": 0.035}])[0]["rate"]
    0.035
    """
    out: list[dict[str, Any]] = []
    for rec in schedule:
        try:
            lo = int(rec["from_year"])
            hi = rec.get("to_year")
            hi = None if hi is None else int(hi)
            r = float(rec["rate"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                f"discount schedule: record {rec!r} is malformed (allowed: {{from_year, to_year, rate}})"
            ) from None
        if not (-1 < r < 1):
            raise InputError(f"discount schedule: rate {r!r} is out of range (allowed: -1 < rate < 1)")
        out.append({"from_year": lo, "to_year": hi, "rate": r})
    if not out:
        raise InputError("discount schedule: [] is empty (allowed: at least one band from year 0)")
    out.sort(key=lambda b: int(b["from_year"]))
    if out[0]["from_year"] != 0:
        raise InputError(
            f"discount schedule: first band starts at year {out[0]['from_year']} (allowed: year 0)"
        )
    return out


def _resolve(rate: RateSpec | str) -> float | list[dict[str, Any]]:
    if isinstance(rate, str):
        raise InputError(f"discount rate: {rate!r} is a name, not a rate (allowed: a number or a schedule; "
                         "sharedservices.model.cited.rate turns a scenario's discount into one)")
    if isinstance(rate, int | float | np.floating | np.integer):
        r = float(rate)
        if not (r > -1) or not math.isfinite(r):
            raise InputError(f"discount rate: {rate!r} is out of range (allowed: a finite number > -1)")
        return r
    return check_schedule(rate)


def rate_in_force(years: npt.ArrayLike, schedule: RateSpec) -> np.ndarray:
    """The discount rate in force in each year (real, fraction per year).

    Examples
    --------
    >>> sched = [{"from_year": 0, "to_year": 30, "rate": 0.035},
    ...          {"from_year": 31, "to_year": None, "rate": 0.03}]
    >>> rate_in_force([0, 30, 31, 40], sched).tolist()
    [0.035, 0.035, 0.03, 0.03]
    """
    y = np.asarray(years)
    spec = _resolve(schedule)
    if isinstance(spec, float):
        return np.full(y.shape, spec)
    starts = np.array([b["from_year"] for b in spec])
    rates = np.array([b["rate"] for b in spec])
    idx = np.searchsorted(starts, y, side="right") - 1
    return rates[np.clip(idx, 0, None)]


def discount_factors(years: npt.ArrayLike, schedule: RateSpec) -> np.ndarray:
    """Discount factors for non-negative integer years.

    Each year is discounted at the rate in force for that year, so under the Green Book
    schedule ``DF(t) = prod_{s=1..t} 1 / (1 + r_s)`` with ``r_s`` 3.5 % for s <= 30,
    3.0 % for 31 <= s <= 75, and so on.  Year 0 has factor 1.

    Parameters
    ----------
    years : array_like of int
        Year indices (0 = 2010-11), any order, non-negative.
    schedule : float or list of dict
        A flat real rate, the Green Book schedule from the assumptions, or an explicit
        list of ``{from_year, to_year, rate}`` bands.

    Returns
    -------
    numpy.ndarray
        Factors (dimensionless), same shape as ``years``.

    Raises
    ------
    InputError
        A year is negative or not an integer, or the rate is malformed.

    Examples
    --------
    >>> discount_factors([0, 1, 2], 0.035).round(6).tolist()
    [1.0, 0.966184, 0.933511]
    >>> sched = [{"from_year": 0, "to_year": 30, "rate": 0.035},
    ...          {"from_year": 31, "to_year": None, "rate": 0.03}]
    >>> df = discount_factors([30, 31], sched)
    >>> round(float(df[0]), 6), round(float(df[1] / df[0]), 6)
    (0.356278, 0.970874)
    """
    y = np.asarray(years)
    if y.size and (not np.all(np.equal(np.mod(y, 1), 0)) or np.any(y < 0)):
        raise InputError(f"years: {y.tolist()!r} (allowed: non-negative integers)")
    y = y.astype(np.int64)
    spec = _resolve(schedule)
    if isinstance(spec, float):
        return (1.0 + spec) ** (-y.astype(float))
    top = int(y.max()) if y.size else 0
    steps = np.arange(1, top + 1)
    log_df = np.concatenate([[0.0], np.cumsum(-np.log1p(rate_in_force(steps, spec)))])
    return np.exp(log_df[y])


def npv(cashflows: npt.ArrayLike, rate: RateSpec) -> float | np.ndarray:
    """Net present value of a cash-flow series; year 0 undiscounted.

    Parameters
    ----------
    cashflows : array_like
        £ thousand real, savings/income positive, costs negative; the last axis is years
        0, 1, 2, ... (a 2-D array gives one NPV per row).
    rate : float or list of dict
        As for :func:`discount_factors`.

    Returns
    -------
    float or numpy.ndarray
        NPV in £ thousand, 2010-11 prices (an array for 2-D input).

    Examples
    --------
    >>> npv([-100, 60, 60], 0.0)
    20.0
    >>> round(npv([-100, 60, 60], 0.1), 4)
    4.1322
    """
    cf = np.asarray(cashflows, dtype=float)
    df = discount_factors(np.arange(cf.shape[-1]), rate)
    out = cf @ df
    return float(out) if np.ndim(out) == 0 else out


def irr(cashflows: npt.ArrayLike) -> float | None:
    """Internal rate of return, or None where none exists.

    The real roots of ``sum_t cf_t x^t = 0`` with ``x = 1/(1+r) > 0`` are found; where
    several exist the rate closest to zero is returned (the numpy-financial rule).

    Parameters
    ----------
    cashflows : array_like
        One series, £ thousand, year 0 first.

    Returns
    -------
    float or None
        Rate per year as a fraction; None if no real rate exists (e.g. all flows of one
        sign, or all zero).

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]), 5)
    0.28095
    >>> irr([-100, -50]) is None
    True
    """
    cf = np.asarray(cashflows, dtype=float)
    if cf.ndim != 1:
        raise InputError(f"cashflows: shape {cf.shape} (allowed: one series)")
    nz = np.flatnonzero(cf)
    if nz.size == 0 or not (np.any(cf > 0) and np.any(cf < 0)):
        return None
    cf = cf[: nz[-1] + 1]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        try:
            roots = np.roots(cf[::-1])
        except np.linalg.LinAlgError:  # coefficients spanning > 300 orders of magnitude
            return None
    keep = (np.abs(roots.imag) <= 1e-12 * np.maximum(1.0, np.abs(roots.real))) & (roots.real > 0)
    if not keep.any():
        return None
    with np.errstate(over="ignore", divide="ignore"):
        rates = 1.0 / roots[keep].real - 1.0
    rates = rates[np.isfinite(rates)]
    if rates.size == 0:
        return None
    return float(rates[np.argmin(np.abs(rates))])


def payback_years(cashflows: npt.ArrayLike, *, atol: float = 1e-9) -> np.ndarray:
    """Vectorised :func:`payback_year`: one year index per row, ``-1`` for "never".

    Examples
    --------
    >>> payback_years([[0, -10, 5, 6], [0, -10, 1, 1]]).tolist()
    [3, -1]
    """
    cf = np.asarray(cashflows, dtype=float)
    cum = np.cumsum(cf, axis=-1)
    started = np.cumsum(cf != 0, axis=-1) > 0
    ok = started & (cum >= -atol)
    first = np.argmax(ok, axis=-1)
    return np.where(ok.any(axis=-1), first, -1)


def payback_year(cashflows: npt.ArrayLike) -> int | None:
    """The first year whose cumulative cash flow is at least zero, or None if never.

    Leading years with no cash flow are skipped (a programme that starts in year 1 does
    not "pay back" in year 0); after that the first year with cumulative >= 0 is the
    first crossing.  Cumulative flows are undiscounted.

    Parameters
    ----------
    cashflows : array_like
        £ thousand, year 0 first, costs negative.

    Returns
    -------
    int or None
        Year index (0 = 2010-11).

    Examples
    --------
    >>> payback_year([-100, 30, 30, 40])
    3
    >>> payback_year([0, -100, 50, 60])
    3
    >>> payback_year([-100, 10, 10]) is None
    True
    """
    y = int(payback_years(cashflows))
    return None if y < 0 else y


def annuity_payment(principal: float, rate: float, years: int) -> float:
    """Level annual payment that repays ``principal`` over ``years`` at ``rate``.

    Parameters
    ----------
    principal : float
        Amount borrowed, £ thousand (>= 0).
    rate : float
        Interest rate per year, fraction (> -1); 0 gives straight-line repayment.
    years : int
        Term in years (>= 1).

    Returns
    -------
    float
        The payment, a positive number, £ thousand per year (paid in arrears).

    Examples
    --------
    >>> round(annuity_payment(1000, 0.05, 10), 4)
    129.5046
    >>> annuity_payment(1000, 0.0, 4)
    250.0
    """
    if principal < 0:
        raise InputError(f"principal: {principal!r} (allowed: >= 0)")
    if int(years) != years or years < 1:
        raise InputError(f"borrowing term: {years!r} years (allowed: a whole number >= 1)")
    if not rate > -1:
        raise InputError(f"interest rate: {rate!r} (allowed: > -1)")
    if rate == 0:
        return float(principal) / years
    # -expm1(-n log1p(r)) = 1 - (1+r)^-n, accurate for tiny rates
    return float(principal) * rate / -math.expm1(-years * math.log1p(rate))


def real_rate(nominal: float, inflation: float) -> float:
    """Real rate from a nominal rate and inflation (Fisher: (1+n)/(1+i) - 1).

    Examples
    --------
    >>> round(real_rate(0.05, 0.02), 6)
    0.029412
    """
    return (1.0 + nominal) / (1.0 + inflation) - 1.0


# --------------------------------------------------------------------------------------
# Optimism bias (HM Treasury Green Book supplementary guidance, Table 2)
# --------------------------------------------------------------------------------------

UpliftKind = Literal["capex", "works_duration", "opex"]
Bound = Literal["upper", "lower"]


def optimism_bias_uplift(
    category: str,
    kind: UpliftKind,
    bound: Bound,
    table: Mapping[str, Mapping[str, float | None]],
) -> float:
    """The optimism-bias uplift for a project category, as a fraction.

    The Green Book supplementary guidance gives uplifts for works duration and capital
    cost by project type, and for operating cost for outsourcing; it has no category for
    shared services, so the suite maps them to ``optimism_bias.shared_services_category``
    (cited, with the reason, in ``data/assumptions/optimism_bias.yaml``).  The suite
    applies the capex uplift to one-off costs, the works-duration uplift to lead times and
    ramps, and the opex uplift (where the category has one) to running costs.

    Parameters
    ----------
    category : str
        A row of ``optimism_bias.table`` (the suite's shared-services mapping is
        ``optimism_bias.shared_services_category``).
    kind : {"capex", "works_duration", "opex"}
    bound : {"upper", "lower"}
        The guidance's starting (upper) value or its fully mitigated (lower) value.
    table : mapping
        Category -> ``{capex_upper, capex_lower, ...}`` (``optimism_bias.table``).
        Values are fractions (0.41 = 41 %); a missing or null entry means the guidance
        gives no uplift of that kind for the category, returned as 0.

    Returns
    -------
    float
        Uplift, a fraction (multiply the base estimate by ``1 + uplift``).

    Examples
    --------
    >>> t = {"Outsourcing": {"opex_upper": 0.41, "opex_lower": 0.0}}
    >>> optimism_bias_uplift("Outsourcing", "opex", "upper", t)
    0.41
    >>> optimism_bias_uplift("Outsourcing", "capex", "upper", t)
    0.0
    """
    if kind not in ("capex", "works_duration", "opex"):
        raise InputError(f"optimism bias kind: {kind!r} (allowed: capex, works_duration, opex)")
    if bound not in ("upper", "lower"):
        raise InputError(f"optimism bias bound: {bound!r} (allowed: upper, lower)")
    if category not in table:
        raise InputError(
            f"optimism bias category: {category!r} is not in the table (allowed: {', '.join(table)})"
        )
    v = table[category].get(f"{kind}_{bound}")
    return 0.0 if v is None else float(v)
