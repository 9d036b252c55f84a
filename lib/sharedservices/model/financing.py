"""Financing a programme's one-off cost, and what it does to the council's budget.

The Green Book keeps **appraisal** apart from **affordability**.  The appraisal is the
programme's own cash flow (gross savings - running costs - one-off costs), discounted:
financing never enters it.  Affordability is what each way of paying the one-off cost does
to the council year by year: to its **revenue budget** and to its **reserves**.

Conventions: years on the last axis (0 = 2010-11), money real 2010-11 prices, £ thousand;
flows broadcast over leading (draw) axes.  For each option :func:`financing_flows` returns
the money that comes in to meet the one-off cost (a reserves draw, a loan, a grant, a
partner's payment) and what goes out later (debt service, the partner's share of savings):

* ``financing`` is the net flow to the **revenue budget**, so the programme's effect on it
  (``net savings``, what the funding gap is set against) is
  ``gross - running - one_off + financing``;
* ``reserves_draw`` is what came out of reserves (the council's own money);
* the **budget effect**, the effect on the council's resources, is the net savings less
  the reserves draw.  Its present value can exceed the programme's NPV only where money
  comes from outside (a grant; a loan or a partner whose terms are cheaper than the
  discount rate): it is shown for comparison and never used to rank options.

Options
-------
``reserves``
    The one-off cost is drawn from usable reserves, down to the prudent minimum
    (``financing.reserves_minimum_share`` of net revenue expenditure); any remainder falls
    on the revenue budget in the year it is spent.
``borrowing``
    Prudential borrowing from the PWLB for the **capital** part of the one-off cost only
    (systems, equipment, buildings: ``one_off_capital_share`` by service).  The revenue
    part (redundancy, double running, the programme team) cannot be borrowed unless a
    capitalisation direction is assumed; a programme starting once flexible use of capital
    receipts began (2016-17) may pay it from new capital receipts (own money, never
    borrowing); otherwise it comes from reserves, then revenue.
    Debt service is the minimum revenue provision (equal instalments over the asset's
    life, from the year after) plus interest on the balance outstanding, at the nominal
    PWLB rate; fixed in cash, so its real value falls with inflation.  Debt still owed at
    the end of the horizon is counted as repaid in the last year (:func:`debt_outstanding`),
    so a horizon shorter than the loan never makes borrowing look cheaper; interest after
    the horizon is not counted.
``gain_share``
    A private partner pays the whole one-off cost and takes a share of gross savings for
    its contract: the share that earns exactly its hurdle rate on the expected savings
    (:func:`partner_terms`).  If no share up to 100 % does, no partner would sign: the
    flows are those of ``reserves`` and the terms say so.
``grant``
    An invest-to-save grant meets a share of the one-off cost; the rest as ``reserves``.
``revenue``
    The revenue budget bears the one-off cost in the year it falls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from sharedservices.errors import InputError
from sharedservices.model import spec
from sharedservices.model.finance import RateSpec, irr, npv, payback_years, real_rate

__all__ = [
    "FINANCING_OPTIONS",
    "FinancingFlows",
    "FinancingTerms",
    "PartnerTerms",
    "compare_financing",
    "debt_outstanding",
    "debt_service",
    "financing_cost",
    "financing_flows",
    "partner_terms",
    "reserves_exhausted_year",
    "usable_reserves",
]

FinancingOption = Literal["reserves", "borrowing", "gain_share", "grant", "revenue"]
FINANCING_OPTIONS: tuple[str, ...] = spec.FINANCING_OPTIONS


@dataclass(frozen=True)
class FinancingTerms:
    """Terms for the financing options (the cited ones: :func:`sharedservices.model.cited.financing_terms`).

    Attributes
    ----------
    pwlb_rate_nominal : float
        Borrowing rate, nominal fraction per year.
    inflation : float
        Assumed inflation (fraction per year): turns nominal rates and cash repayments real.
    asset_life_years : int
        MRP life of borrowing for capital spending (asset-life method).
    capitalised_life_years : int
        MRP life of revenue costs borrowed under a capitalisation direction.
    partner_hurdle_nominal : float
        A private partner's required return, nominal fraction per year.
    partner_term_years : int
        Length of a partner's gain-share contract from the programme's start.
    grant_share : float
        Share of the one-off cost an invest-to-save grant meets, fraction.
    reserves_minimum_share : float
        Prudent minimum of reserves, fraction of net revenue expenditure.
    capitalisation_direction : bool
        Assume the council obtains a capitalisation direction (revenue costs may be borrowed).
    flexible_receipts_from_year : int
        First year index in which capital receipts may fund revenue reform costs (2016-17 = 6).
    """

    pwlb_rate_nominal: float
    inflation: float
    asset_life_years: int
    capitalised_life_years: int
    partner_hurdle_nominal: float
    partner_term_years: int
    grant_share: float
    reserves_minimum_share: float = 0.0
    capitalisation_direction: bool = False
    flexible_receipts_from_year: int = 6

    def __post_init__(self) -> None:
        for name in ("grant_share", "reserves_minimum_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise InputError(f"financing.{name}: {v!r} (allowed: a fraction 0 to 1)")
        for name in ("pwlb_rate_nominal", "partner_hurdle_nominal"):
            v = getattr(self, name)
            if not (np.isfinite(v) and 0.0 <= v <= 1.0):
                raise InputError(f"financing.{name}: {v!r} (allowed: a rate 0 to 1 a year)")
        if not (np.isfinite(self.inflation) and -0.5 < self.inflation < 1.0):
            raise InputError(f"financing.inflation: {self.inflation!r} (allowed: a rate -0.5 to 1 a year)")
        for name in ("asset_life_years", "capitalised_life_years", "partner_term_years"):
            v = getattr(self, name)
            if int(v) != v or v < 1:
                raise InputError(f"financing.{name}: {v!r} (allowed: a whole number of years >= 1)")

    @property
    def real_borrowing_rate(self) -> float:
        """The real PWLB rate, fraction per year."""
        return real_rate(self.pwlb_rate_nominal, self.inflation)

    @property
    def partner_hurdle_real(self) -> float:
        """The partner's hurdle in real terms, fraction per year."""
        return real_rate(self.partner_hurdle_nominal, self.inflation)


@dataclass(frozen=True)
class PartnerTerms:
    """The gain-share terms a private partner would sign.

    Attributes
    ----------
    share : float
        Share of gross savings the partner needs over its contract to earn exactly its
        hurdle; above 1 (or infinite) when no share would.
    term_years : int
    hurdle_nominal : float
    feasible : bool
        Some share up to 100 % meets the hurdle.
    irr_nominal : float or None
        The partner's IRR, nominal, at the needed share (feasible) or at 100 % of the
        savings, the best it could get (infeasible); None if the flows have no IRR.
    npv_at_hurdle : float
        The partner's NPV at its hurdle on the same terms, £ thousand real: 0 when
        feasible, negative when not.
    """

    share: float
    term_years: int
    hurdle_nominal: float
    feasible: bool
    irr_nominal: float | None
    npv_at_hurdle: float


def partner_terms(one_off_costs: npt.ArrayLike, gross_savings: npt.ArrayLike, start_year: int,
                  terms: FinancingTerms) -> PartnerTerms:
    """The share of gross savings that earns a partner exactly its hurdle rate.

    The partner pays the one-off cost and takes ``s`` of the expected gross savings in
    the years ``start .. start + term - 1``; ``s = PV(cost) / PV(savings in the term)``,
    both at the partner's real hurdle.  One programme (no draw axis).

    Examples
    --------
    >>> t = FinancingTerms(0.0, 0.0, 5, 20, 0.10, 2, 0.5)
    >>> p = partner_terms([0, 100.0, 0, 0], [0, 0, 60.0, 60.0], 1, t)
    >>> round(p.share, 4), p.feasible, round(p.irr_nominal, 4), round(p.npv_at_hurdle, 2)
    (1.8333, False, -0.4, -41.32)
    >>> p = partner_terms([0, 100.0, 0, 0, 0], [0, 110.0, 110.0, 110.0, 110.0], 1, t)
    >>> round(p.share, 4), p.feasible, round(p.irr_nominal, 4), round(p.npv_at_hurdle, 9)
    (0.4762, True, 0.1, 0.0)
    """
    cost = np.asarray(one_off_costs, dtype=float)
    gross = np.asarray(gross_savings, dtype=float)
    if cost.ndim != 1 or gross.shape != cost.shape:
        raise InputError(f"partner terms: costs {cost.shape} and savings {gross.shape} (allowed: one programme, same years)")
    t = np.arange(cost.size)
    in_term = (t >= start_year) & (t < start_year + terms.partner_term_years)
    h = terms.partner_hurdle_real
    df = (1.0 + h) ** -t.astype(float)
    pv_cost = float((cost * df).sum())
    pv_save = float((gross * in_term * df).sum())
    share = pv_cost / pv_save if pv_save > 0 else float("inf")
    s_used = min(share, 1.0)  # no partner can take more than all the savings
    flows = -cost + s_used * gross * in_term
    r = irr(flows)
    irr_nominal = None if r is None else (1.0 + r) * (1.0 + terms.inflation) - 1.0
    return PartnerTerms(share=share, term_years=terms.partner_term_years, hurdle_nominal=terms.partner_hurdle_nominal,
                        feasible=bool(np.isfinite(share) and share <= 1.0), irr_nominal=irr_nominal,
                        npv_at_hurdle=float((flows * df).sum()))


def debt_service(borrowed: npt.ArrayLike, life_years: int, rate_nominal: float, inflation: float) -> np.ndarray:
    """Real debt service (interest plus MRP) on borrowing, by year.

    Each year's borrowing is repaid in equal cash instalments over ``life_years`` from the
    year after, with interest at ``rate_nominal`` on the balance outstanding at the start of
    the year; both are fixed in cash, so their real value falls by ``inflation`` a year.

    Parameters
    ----------
    borrowed : array_like
        Principal borrowed by year, £ thousand real; shape (..., T).

    Returns
    -------
    numpy.ndarray
        Debt service by year, £ thousand real (positive), same shape.

    Examples
    --------
    >>> debt_service([0, 100.0, 0, 0, 0], 2, 0.10, 0.0).round(6).tolist()
    [0.0, 0.0, 60.0, 55.0, 0.0]
    >>> debt_service([0, 100.0, 0, 0], 2, 0.0, 0.0).tolist()
    [0.0, 0.0, 50.0, 50.0]
    """
    b = np.asarray(borrowed, dtype=float)
    n = b.shape[-1]
    life = int(life_years)
    j = np.arange(n)[:, None]
    t = np.arange(n)[None, :]
    k = t - j  # years since the borrowing
    paying = (k >= 1) & (k <= life)
    outstanding = np.clip(1.0 - (k - 1) / life, 0.0, 1.0)  # share of principal owed at the start of year t
    cash = np.where(paying, 1.0 / life + rate_nominal * outstanding, 0.0)
    real = cash * (1.0 + inflation) ** -np.maximum(k, 0).astype(float)
    return (b[..., :, None] * real).sum(axis=-2)


def debt_outstanding(borrowed: npt.ArrayLike, life_years: int, inflation: float) -> np.ndarray | float:
    """Principal still owed at the end of the last year, £ thousand real.

    Borrowing is repaid in equal cash instalments over ``life_years`` from the year after it
    is taken (as :func:`debt_service`); what is left after the last year's instalment is the
    debt the horizon would otherwise leave off the books.

    Examples
    --------
    >>> debt_outstanding([0, 100.0, 0, 0], 5, 0.0)   # borrowed in year 1, two instalments paid
    60.0
    >>> debt_outstanding([0, 100.0, 0, 0], 2, 0.0)
    0.0
    """
    b = np.asarray(borrowed, dtype=float)
    n = b.shape[-1]
    k = (n - 1) - np.arange(n)  # instalments paid by the end of the last year
    share = np.clip(1.0 - k / int(life_years), 0.0, 1.0) * (1.0 + inflation) ** -k.astype(float)
    out = (b * share).sum(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class FinancingFlows:
    """Year-by-year financing of one option, £ thousand real (last axis = years).

    Attributes
    ----------
    option : str
    financing : numpy.ndarray
        Net flow to the revenue budget from the financing (+ in, - out).
    reserves_draw : numpy.ndarray
        Drawn from usable reserves (positive).
    borrowed : numpy.ndarray
        Principal borrowed.
    debt_service : numpy.ndarray
        Interest and MRP paid.
    partner_paid : numpy.ndarray
        The partner's payment of the one-off cost.
    partner_share_paid : numpy.ndarray
        The share of gross savings paid to the partner.
    grant : numpy.ndarray
    revenue_one_off : numpy.ndarray
        The part of the one-off cost the revenue budget bears in the year it falls.
    partner : PartnerTerms or None
        The partner's terms (``gain_share`` only).
    fallback : str or None
        ``reserves`` when no partner would sign and the flows are those of reserves.
    capital_receipts : numpy.ndarray
        New capital receipts spent on the revenue costs of reform under the flexibility
        from 2016-17: the council's own money, like a reserves draw (``borrowing`` only).
    """

    option: str
    financing: np.ndarray
    reserves_draw: np.ndarray
    borrowed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    debt_service: np.ndarray = field(default_factory=lambda: np.zeros(0))
    partner_paid: np.ndarray = field(default_factory=lambda: np.zeros(0))
    partner_share_paid: np.ndarray = field(default_factory=lambda: np.zeros(0))
    grant: np.ndarray = field(default_factory=lambda: np.zeros(0))
    revenue_one_off: np.ndarray = field(default_factory=lambda: np.zeros(0))
    partner: PartnerTerms | None = None
    fallback: str | None = None
    capital_receipts: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def own_money(self) -> np.ndarray:
        """The council's own money spent on the one-off cost: reserves drawn plus capital
        receipts used (a cost in the year it is spent)."""
        return self.reserves_draw if self.capital_receipts.size == 0 else self.reserves_draw + self.capital_receipts


def _from_reserves(cost: np.ndarray, available: npt.ArrayLike) -> np.ndarray:
    """Draws meeting ``cost`` year by year until cumulative draws reach ``available``."""
    avail = np.maximum(np.asarray(available, dtype=float), 0.0)
    cum = np.minimum(np.cumsum(cost, axis=-1), avail[..., None] if np.ndim(avail) else avail)
    return np.diff(cum, axis=-1, prepend=0.0)


def financing_flows(
    option: FinancingOption,
    one_off_costs: npt.ArrayLike,
    gross_savings: npt.ArrayLike,
    start_year: int,
    terms: FinancingTerms,
    *,
    capital_share: float = 0.0,
    reserves_available: npt.ArrayLike = np.inf,
    partner: PartnerTerms | None = None,
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
        The programme's start year (the partner's contract runs from it).
    terms : FinancingTerms
    capital_share : float
        Share of the one-off cost that is capital spending (may be borrowed).
    reserves_available : float or array_like
        Reserves the programme may draw on (usable reserves above the prudent minimum),
        £ thousand; per draw on leading axes; default unlimited.
    partner : PartnerTerms, optional
        Gain-share terms (default: :func:`partner_terms` on these flows, one programme).

    Returns
    -------
    FinancingFlows

    Examples
    --------
    >>> terms = FinancingTerms(0.0, 0.0, 2, 20, 0.0, 2, 0.25)
    >>> cost, save = np.array([0, 100.0, 0, 0]), np.array([0, 0, 60.0, 60.0])
    >>> f = financing_flows("borrowing", cost, save, 1, terms, capital_share=0.8, reserves_available=15.0)
    >>> f.borrowed.tolist(), f.reserves_draw.tolist(), f.revenue_one_off.tolist(), f.financing.tolist()
    ([0.0, 80.0, 0.0, 0.0], [0.0, 15.0, 0.0, 0.0], [0.0, 5.0, 0.0, 0.0], [0.0, 95.0, -40.0, -40.0])
    >>> financing_flows("reserves", cost, save, 1, terms, reserves_available=60.0).financing.tolist()
    [0.0, 60.0, 0.0, 0.0]
    >>> financing_flows("grant", cost, save, 1, terms).reserves_draw.tolist()
    [0.0, 75.0, 0.0, 0.0]
    """
    cost = np.asarray(one_off_costs, dtype=float)
    gross = np.asarray(gross_savings, dtype=float)
    zero = np.zeros_like(cost)
    if option not in FINANCING_OPTIONS:
        raise InputError(f"financing: {option!r} is not an option (allowed: {', '.join(FINANCING_OPTIONS)})")
    if not 0.0 <= capital_share <= 1.0:
        raise InputError(f"capital share: {capital_share!r} (allowed: a fraction 0 to 1)")

    def own_money(amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        draw = _from_reserves(amount, reserves_available)
        return draw, amount - draw

    if option == "revenue":
        return FinancingFlows(option, zero, zero.copy(), revenue_one_off=cost.copy())
    if option == "reserves":
        draw, rest = own_money(cost)
        return FinancingFlows(option, draw, draw, revenue_one_off=rest)
    if option == "grant":
        grant = cost * terms.grant_share
        draw, rest = own_money(cost - grant)
        return FinancingFlows(option, grant + draw, draw, grant=grant, revenue_one_off=rest)
    if option == "borrowing":
        capital = cost * capital_share
        revenue_part = cost - capital
        # a capitalisation direction lets the revenue part be borrowed; without one, from
        # 2016-17 new capital receipts (never borrowing) may pay it: own money, no debt
        borrowed_rev = revenue_part if terms.capitalisation_direction else zero
        receipts = (revenue_part if not terms.capitalisation_direction
                    and start_year >= terms.flexible_receipts_from_year else zero)
        borrowed = capital + borrowed_rev
        service = (debt_service(capital, terms.asset_life_years, terms.pwlb_rate_nominal, terms.inflation)
                   + debt_service(borrowed_rev, terms.capitalised_life_years, terms.pwlb_rate_nominal, terms.inflation))
        # debt still owed at the horizon is counted as repaid in its last year (real value)
        service = service.copy()
        service[..., -1] += (debt_outstanding(capital, terms.asset_life_years, terms.inflation)
                             + debt_outstanding(borrowed_rev, terms.capitalised_life_years, terms.inflation))
        draw, rest = own_money(revenue_part - borrowed_rev - receipts)
        return FinancingFlows(option, borrowed + receipts + draw - service, draw, borrowed=borrowed,
                              debt_service=service, revenue_one_off=rest, capital_receipts=receipts)
    # gain_share
    if partner is None:
        if cost.ndim != 1:
            raise InputError("gain_share: give the partner's terms for many draws (allowed: partner=PartnerTerms)")
        partner = partner_terms(cost, gross, start_year, terms)
    if not partner.feasible:
        fb = financing_flows("reserves", cost, gross, start_year, terms, reserves_available=reserves_available)
        return replace(fb, option=option, partner=partner, fallback="reserves")
    t = np.arange(cost.shape[-1])
    in_term = (t >= start_year) & (t < start_year + partner.term_years)
    share_paid = partner.share * gross * in_term
    return FinancingFlows(option, cost - share_paid, zero.copy(), partner_paid=cost.copy(),
                          partner_share_paid=share_paid, revenue_one_off=zero.copy(), partner=partner)


def financing_cost(flows: FinancingFlows, one_off_costs: npt.ArrayLike) -> np.ndarray | float:
    """What the council pays for its one-off cost beyond the cost itself, £ thousand real,
    undiscounted: interest for a loan, the partner's share beyond the cost it paid, minus
    a grant; 0 for reserves and revenue.

    Examples
    --------
    >>> t = FinancingTerms(0.10, 0.0, 2, 20, 0.0, 2, 0.5)
    >>> cost = np.array([0, 100.0, 0, 0, 0])
    >>> loan = financing_flows("borrowing", cost, np.zeros(5), 1, t, capital_share=1.0)
    >>> financing_cost(loan, cost)      # interest 10 + 5 on a two-year loan of 100
    15.0
    >>> financing_cost(financing_flows("grant", cost, np.zeros(5), 1, t), cost)
    -50.0
    """
    cost = np.asarray(one_off_costs, dtype=float).sum(axis=-1)
    paid = (_sum(flows.debt_service) - _sum(flows.borrowed) + _sum(flows.partner_share_paid)
            - _sum(flows.partner_paid) - _sum(flows.grant))
    out = paid + 0.0 * cost
    return float(out) if np.ndim(out) == 0 else out


def _sum(a: np.ndarray) -> np.ndarray | float:
    return 0.0 if a.size == 0 else a.sum(axis=-1)


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
    *,
    capital_share: float = 0.0,
    reserves_available: float = np.inf,
    rate: RateSpec = 0.0,
    options: tuple[str, ...] = FINANCING_OPTIONS,
) -> pd.DataFrame:
    """The financing options side by side for one programme: affordability first.

    Returns
    -------
    pandas.DataFrame
        One row per option, in the order given (never ranked): ``option``,
        ``available`` (False where no partner would sign), ``revenue_effect_year1_gbp_thousand``
        (net savings in the programme's start year, the revenue budget),
        ``revenue_effect_first_positive_year`` (None if never), ``reserves_draw_gbp_thousand``,
        ``borrowed_gbp_thousand``, ``financing_cost_gbp_thousand`` (:func:`financing_cost`),
        ``budget_effect_pv_gbp_thousand`` (present value of the budget effect at ``rate``, for
        comparison with the programme's NPV, never a ranking) and
        ``budget_payback_year`` (None if never).

    Examples
    --------
    >>> terms = FinancingTerms(0.0, 0.0, 2, 20, 0.0, 2, 0.25)
    >>> tab = compare_financing([0, 100.0, 0, 0, 0], [0, 0, 60.0, 60.0, 60.0], [0] * 5, 1, terms,
    ...                         reserves_available=80.0, rate=0.0).set_index("option")
    >>> tab.loc[["reserves", "revenue"], "budget_effect_pv_gbp_thousand"].tolist()
    [80.0, 80.0]
    >>> tab.loc["reserves", "revenue_effect_year1_gbp_thousand"], tab.loc["revenue", "revenue_effect_year1_gbp_thousand"]
    (np.float64(-20.0), np.float64(-100.0))
    """
    cost = np.asarray(one_off_costs, dtype=float)
    gross = np.asarray(gross_savings, dtype=float)
    run = np.asarray(running_costs, dtype=float)
    cash = gross - run - cost
    rows = []
    for opt in options:
        ff = financing_flows(opt, cost, gross, start_year, terms, capital_share=capital_share,  # type: ignore[arg-type]
                             reserves_available=reserves_available)
        revenue = cash + ff.financing
        budget = revenue - ff.own_money
        positive = np.flatnonzero((np.arange(revenue.size) >= start_year) & (revenue > 0))
        pb = int(payback_years(budget))
        rows.append({
            "option": opt,
            "available": ff.fallback is None,
            "revenue_effect_year1_gbp_thousand": float(revenue[start_year]) if revenue.size > start_year else 0.0,
            "revenue_effect_first_positive_year": int(positive[0]) if positive.size else None,
            "reserves_draw_gbp_thousand": float(ff.reserves_draw.sum()),
            "borrowed_gbp_thousand": float(_sum(ff.borrowed)),
            "financing_cost_gbp_thousand": float(financing_cost(ff, cost)),
            "budget_effect_pv_gbp_thousand": float(npv(budget, rate)),
            "budget_payback_year": None if pb < 0 else pb,
        })
    return pd.DataFrame(rows)
