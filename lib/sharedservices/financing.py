"""Financing a programme's one-off cost: reserves, borrowing, gain-share, grant.

Every option turns the one-off cost profile into year-by-year flows for the council's
revenue budget.  Conventions: years on the last axis (0 = 2010-11), money real 2010-11
prices, £ thousand; **financing flows are positive when money comes in to meet the
one-off cost** (a reserves draw, a loan, a grant, a partner paying) and negative when it
goes out (loan repayments, the partner's share of savings).  The programme's net effect
on the budget in a year is therefore::

    gross_savings - running_costs - one_off_costs + financing

Options
-------
``reserves``
    The one-off cost is drawn from usable reserves (earmarked + unallocated; see
    :func:`usable_reserves`): budget effect = net savings.
``borrowing``
    Prudential borrowing of the one-off cost, repaid as a level annuity over the term at
    the real PWLB-style rate (nominal rate deflated by the assumed inflation, Fisher), from
    the year after the cost.  Payments are level in real terms: a simplification.
``gain_share``
    A private partner pays the one-off cost and keeps a share of the gross savings for a
    term of years from the programme's start year.
``grant``
    An invest-to-save grant meets a share of the one-off cost; the rest comes from reserves.
``revenue``
    No financing: the revenue budget bears the one-off cost in the year it falls.

All functions broadcast over leading (draw) axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from sharedservices.errors import InputError
from sharedservices.finance import RateSpec, annuity_payment, npv, payback_years, real_rate

__all__ = [
    "FINANCING_OPTIONS",
    "FinancingFlows",
    "FinancingTerms",
    "compare_financing",
    "financing_flows",
    "reserves_exhausted_year",
    "terms_from_assumptions",
    "usable_reserves",
]

FinancingOption = Literal["reserves", "borrowing", "gain_share", "grant", "revenue"]
FINANCING_OPTIONS: tuple[str, ...] = ("reserves", "borrowing", "gain_share", "grant", "revenue")


@dataclass(frozen=True)
class FinancingTerms:
    """Terms for the financing options (defaults: :func:`terms_from_assumptions`).

    Attributes
    ----------
    pwlb_rate_nominal : float
        Borrowing rate, nominal fraction per year.
    inflation : float
        Assumed inflation (fraction per year) to turn the nominal rate real.
    borrowing_term_years : int
    gain_share_partner_share : float
        Partner's share of gross savings, fraction.
    gain_share_term_years : int
    grant_share : float
        Share of the one-off cost an invest-to-save grant meets, fraction.
    """

    pwlb_rate_nominal: float
    inflation: float
    borrowing_term_years: int
    gain_share_partner_share: float
    gain_share_term_years: int
    grant_share: float

    def __post_init__(self) -> None:
        for name in ("gain_share_partner_share", "grant_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise InputError(f"financing.{name}: {v!r} (allowed: a fraction 0 to 1)")
        for name in ("borrowing_term_years", "gain_share_term_years"):
            v = getattr(self, name)
            if int(v) != v or v < 1:
                raise InputError(f"financing.{name}: {v!r} (allowed: a whole number of years >= 1)")

    @property
    def real_borrowing_rate(self) -> float:
        """The real borrowing rate, fraction per year."""
        return real_rate(self.pwlb_rate_nominal, self.inflation)


def terms_from_assumptions() -> FinancingTerms:
    """Financing terms from ``data/assumptions/financing.yaml``."""
    from sharedservices import assumptions

    v = assumptions.value
    return FinancingTerms(
        pwlb_rate_nominal=float(v("financing.pwlb_rate_nominal")),
        inflation=float(v("financing.inflation_assumption")),
        borrowing_term_years=int(v("financing.borrowing_term_years")),
        gain_share_partner_share=float(v("financing.gain_share_partner_share")),
        gain_share_term_years=int(v("financing.gain_share_term_years")),
        grant_share=float(v("financing.invest_to_save_grant_share")),
    )


@dataclass(frozen=True)
class FinancingFlows:
    """Year-by-year financing, £ thousand real (last axis = years).

    Attributes
    ----------
    option : str
    financing : numpy.ndarray
        Net flow to the revenue budget from the financing (+ in, - out).
    reserves_draw : numpy.ndarray
        Drawn from usable reserves (positive).
    """

    option: str
    financing: np.ndarray
    reserves_draw: np.ndarray


def _repayment_matrix(n_years: int, payment_per_unit: float, term: int) -> np.ndarray:
    """m[j, t] = payment per unit borrowed in year j, paid in year t (years j+1..j+term)."""
    j = np.arange(n_years)[:, None]
    t = np.arange(n_years)[None, :]
    lag = t - j
    return np.where((lag >= 1) & (lag <= term), payment_per_unit, 0.0)


def financing_flows(
    option: FinancingOption,
    one_off_costs: npt.ArrayLike,
    gross_savings: npt.ArrayLike,
    start_year: int,
    terms: FinancingTerms,
) -> FinancingFlows:
    """Turn the one-off cost profile into financing flows under one option.

    Parameters
    ----------
    option : {"reserves", "borrowing", "gain_share", "grant", "revenue"}
    one_off_costs : array_like
        One-off costs by year (positive), £ thousand; shape (..., T).
    gross_savings : array_like
        Gross savings by year (positive), £ thousand; shape (..., T).
    start_year : int
        The programme's start year (the gain-share term runs from it).
    terms : FinancingTerms

    Returns
    -------
    FinancingFlows

    Examples
    --------
    >>> terms = FinancingTerms(0.0, 0.0, 2, 0.5, 2, 0.25)
    >>> cost, save = np.array([0, 100.0, 0, 0]), np.array([0, 0, 60.0, 60.0])
    >>> financing_flows("borrowing", cost, save, 1, terms).financing.tolist()
    [0.0, 100.0, -50.0, -50.0]
    >>> financing_flows("gain_share", cost, save, 1, terms).financing.tolist()
    [0.0, 100.0, -30.0, 0.0]
    >>> financing_flows("grant", cost, save, 1, terms).reserves_draw.tolist()
    [0.0, 75.0, 0.0, 0.0]
    """
    cost = np.asarray(one_off_costs, dtype=float)
    gross = np.asarray(gross_savings, dtype=float)
    n = cost.shape[-1]
    zero = np.zeros_like(cost)
    if option == "reserves":
        return FinancingFlows(option, cost.copy(), cost.copy())
    if option == "revenue":
        return FinancingFlows(option, zero, zero.copy())
    if option == "grant":
        return FinancingFlows(option, cost.copy(), cost * (1.0 - terms.grant_share))
    if option == "borrowing":
        a = annuity_payment(1.0, terms.real_borrowing_rate, terms.borrowing_term_years)
        m = _repayment_matrix(n, a, terms.borrowing_term_years)
        repay = (cost[..., :, None] * m).sum(axis=-2)  # same order for one draw or many
        return FinancingFlows(option, cost - repay, zero)
    if option == "gain_share":
        t = np.arange(n)
        in_term = (t >= start_year) & (t < start_year + terms.gain_share_term_years)
        return FinancingFlows(option, cost - terms.gain_share_partner_share * gross * in_term, zero)
    raise InputError(f"financing: {option!r} is not an option (allowed: {', '.join(FINANCING_OPTIONS)})")


def usable_reserves(finance: pd.DataFrame, ecode: str, year: str = "2010-11") -> float:
    """Usable reserves (earmarked + unallocated), £ thousand, as the data date them.

    Examples
    --------
    >>> f = pd.DataFrame({"ecode": "E1", "year": "2010-11",
    ...     "item": ["reserves_earmarked", "reserves_unallocated", "reserves_schools"],
    ...     "gbp_thousand": [30.0, 20.0, 99.0]})
    >>> usable_reserves(f, "E1")
    50.0
    """
    sub = finance[(finance["ecode"] == ecode) & (finance["year"] == year)]
    items = sub[sub["item"].isin(["reserves_earmarked", "reserves_unallocated"])]
    return float(items["gbp_thousand"].sum())


def reserves_exhausted_year(usable: float, draws: npt.ArrayLike) -> np.ndarray | int | None:
    """First year in which cumulative draws exceed usable reserves, or None.

    Parameters
    ----------
    usable : float
        Usable reserves at the start of year 1, £ thousand real.
    draws : array_like
        Draws by year (positive), £ thousand real; shape (..., T).

    Returns
    -------
    int or None (1-D input); an int array with -1 for "never" (more dimensions).

    Examples
    --------
    >>> reserves_exhausted_year(100.0, [0, 40, 40, 40])
    3
    >>> reserves_exhausted_year(100.0, [0, 40, 40]) is None
    True
    """
    d = np.asarray(draws, dtype=float)
    over = np.cumsum(d, axis=-1) > usable + 1e-9
    yr = np.where(over.any(axis=-1), np.argmax(over, axis=-1), -1)
    if d.ndim == 1:
        return None if int(yr) < 0 else int(yr)
    return yr


def compare_financing(
    one_off_costs: npt.ArrayLike,
    gross_savings: npt.ArrayLike,
    running_costs: npt.ArrayLike,
    start_year: int,
    terms: FinancingTerms,
    usable: float | None = None,
    rate: RateSpec = "green_book",
    options: tuple[str, ...] = FINANCING_OPTIONS,
) -> pd.DataFrame:
    """The financing options side by side for one programme.

    Returns
    -------
    pandas.DataFrame
        One row per option: ``option``, ``financing_cost_gbp_thousand`` (undiscounted
        money paid out beyond the one-off cost: interest or the partner's share; real),
        ``budget_npv_gbp_thousand`` (NPV of the budget effect), ``budget_payback_year``
        (None if never), ``reserves_draw_gbp_thousand``, ``reserves_sufficient`` (None if
        reserves not given), ``year1_budget_effect_gbp_thousand``.

    Examples
    --------
    >>> terms = FinancingTerms(0.0, 0.0, 2, 0.5, 2, 0.25)
    >>> tab = compare_financing([0, 100.0, 0, 0, 0], [0, 0, 60.0, 60.0, 60.0], [0] * 5, 1, terms,
    ...                         usable=80.0, rate=0.0)
    >>> tab.set_index("option").loc[["reserves", "gain_share"], "budget_npv_gbp_thousand"].tolist()
    [180.0, 150.0]
    """
    cost = np.asarray(one_off_costs, dtype=float)
    gross = np.asarray(gross_savings, dtype=float)
    run = np.asarray(running_costs, dtype=float)
    rows = []
    for opt in options:
        ff = financing_flows(opt, cost, gross, start_year, terms)  # type: ignore[arg-type]
        effect = gross - run - cost + ff.financing
        extra = float(-(ff.financing.sum() - cost.sum())) if opt in ("borrowing", "gain_share") else 0.0
        pb = int(payback_years(effect))
        draw = float(ff.reserves_draw.sum())
        rows.append(
            {
                "option": opt,
                "financing_cost_gbp_thousand": extra,
                "budget_npv_gbp_thousand": float(npv(effect, rate)),
                "budget_payback_year": None if pb < 0 else pb,
                "reserves_draw_gbp_thousand": draw,
                "reserves_sufficient": None if usable is None else bool(draw <= usable + 1e-9),
                "year1_budget_effect_gbp_thousand": float(effect[..., 1]) if effect.shape[-1] > 1 else 0.0,
            }
        )
    return pd.DataFrame(rows)

