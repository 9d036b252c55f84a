"""The timing gap: funding gap against savings, year by year, and the headline metrics.

Conventions
-----------
* Years 0..H on the last axis (0 = 2010-11).  Money real 2010-11 prices, £ thousand.
* ``net_savings`` is the programme's **net effect on the revenue budget**: gross savings
  minus running costs minus one-off costs plus financing flows (see
  :mod:`sharedservices.model.financing`).  ``programme_cash_flow`` (gross - running - one-off,
  before financing) is what the appraisal (NPV, payback) uses.
* ``residual_gap = funding_gap - net_savings`` is what front-line cuts or reserves must
  close.  **Front-line cuts** in a year are at least its positive part (a surplus is not a
  negative cut), and they **stick**: a share p of every new cut (``persistence``,
  ``frontline.cut_persistence``) is not restored when money later allows, so the cut in
  year t is ``c_t = max(residual_t, S_{t-1})``, where the stuck level
  ``S_t = S_{t-1} + p * max(c_t - c_{t-1}, 0)`` (see :func:`sticky_cuts`).  With p = 0
  every cut is restored as soon as the gap allows (the cuts are the positive part of the
  residual gap); with p = 1 no cut is ever restored.  They are allocated across the services not being shared, in proportion to their
  year-0 spend, leaving out protected services; only services in core spending are cut
  (education, police and fire are outside the council's control).  If every such
  service is shared or protected the cuts fall on the unprotected core services, shared
  or not; if none is left an :class:`~sharedservices.errors.InputError` is raised.
* **Core spending** = total service expenditure minus education, police and fire (and
  minus public health from 2013-14, which came with its own ring-fenced grant).
* **Coverage** in year t = net savings / funding gap; undefined (``None``, "no gap")
  where the gap is not positive, as in year 0.
* **Cumulative front-line cuts** = the sum of the yearly front-line cuts over years 1..H
  (real, undiscounted): £-years, also shown as a share of one year's core spending.
* **Front-loading penalty** = cumulative front-line cuts under the path minus those under
  the even path with the same N and final funding, with the programme and without one.
  The **share absorbed** = (penalty without the programme - penalty with it) / penalty
  without it.  With p = 0 savings are subtracted from both paths alike, so they move the
  penalty only where they exceed a gap; with persistence, savings that arrive early, while
  the front-loaded path is making its deepest cuts, prevent cuts that would have stuck,
  and savings that arrive late can protect more on the even path (whose cuts come later)
  than on the front-loaded one, so the share absorbed can be negative: sharing that pays
  back too slowly leaves front-loaded councils worse placed, as NLGN argued.

Worked example (persistence p = 1; funding gaps over years 0..3)::

    front-loaded gap   0  10  10  10      even gap   0  3.3  6.7  10
    late savings       0   0   0  10      (arrive in year 3)
    cuts, no programme:  front 10+10+10 = 30,  even 3.3+6.7+10 = 20  -> penalty 10
    cuts, programme:     front 10+10+10 = 30 (the year-1 cut stuck), even 3.3+6.7+6.7 = 16.7
                         -> penalty 13.3;  share absorbed = (10 - 13.3) / 10 = -0.33
    early savings        0  10  10  10  -> no cut on either path: share absorbed = 1
    with p = 0 the late savings leave cuts of 20 and 10: penalty 10, share absorbed 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from sharedservices.errors import InputError
from sharedservices.model.cuts import fy_label
from sharedservices.model.programmes import SERVICES

__all__ = [
    "CORE_EXCLUDED",
    "penalty_absorbed_share",
    "sticky_cuts",
    "NO_GAP",
    "SERVICES",
    "GapResult",
    "allocate_cuts",
    "core_services",
    "core_spending",
    "coverage",
    "cumulative_cuts",
    "frontline_cuts",
    "timing_table",
]

#: Services outside core spending (public health too, from 2013-14).
CORE_EXCLUDED: tuple[str, ...] = ("education", "police", "fire")
#: How an undefined coverage ratio is reported.
NO_GAP = "no gap"


def core_services(year: int = 0) -> tuple[str, ...]:
    """Services in core spending in year index ``year``.

    Examples
    --------
    >>> "public_health" in core_services(2), "public_health" in core_services(3)
    (True, False)
    """
    excluded = CORE_EXCLUDED + (("public_health",) if year >= 3 else ())
    return tuple(s for s in SERVICES if s not in excluded)


def core_spending(spend: Mapping[str, float], year: int = 0) -> float:
    """Core spending from spend by service (missing services count as 0), £ thousand.

    Examples
    --------
    >>> core_spending({"education": 500.0, "central": 100.0, "adult_social_care": 300.0})
    400.0
    """
    return float(sum(float(spend.get(s, 0.0)) for s in core_services(year)))


def coverage(net_savings: npt.ArrayLike, gap: npt.ArrayLike) -> np.ndarray:
    """Coverage ratio by year, NaN where the gap is not positive ("no gap").

    Examples
    --------
    >>> coverage([0, 5, 20], [0, 10, 10]).tolist()
    [nan, 0.5, 2.0]
    """
    s = np.asarray(net_savings, dtype=float)
    g = np.asarray(gap, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g > 0, s / np.where(g > 0, g, 1.0), np.nan)


def sticky_cuts(residual_gap: npt.ArrayLike, persistence: float = 0.0) -> np.ndarray:
    """Front-line cuts by year when a share of every new cut sticks.

    ``c_t = max(residual_t, S_{t-1}, 0)``; ``S_t = S_{t-1} + p * max(c_t - c_{t-1}, 0)``,
    with ``S_{-1} = c_{-1} = 0``.  Broadcasts over leading axes (draws); years last.

    Parameters
    ----------
    residual_gap : array_like
        Funding gap minus net savings by year, £ thousand (positive: money short).
    persistence : float
        p in [0, 1], the share of a new cut not restored when money later allows.

    Returns
    -------
    numpy.ndarray
        Front-line cuts by year (>= 0), the same shape.

    Examples
    --------
    >>> sticky_cuts([0, 10, 0, 5], 0.0).tolist()
    [0.0, 10.0, 0.0, 5.0]
    >>> sticky_cuts([0, 10, 0, 5], 1.0).tolist()
    [0.0, 10.0, 10.0, 10.0]
    >>> sticky_cuts([0, 10, 0, 5], 0.5).tolist()
    [0.0, 10.0, 5.0, 5.0]
    """
    r = np.maximum(np.asarray(residual_gap, dtype=float), 0.0)
    p = float(persistence)
    if not 0.0 <= p <= 1.0:
        raise InputError(f"frontline_cut_persistence: {persistence!r} (allowed: a fraction 0 to 1)")
    if p == 0.0:
        return r.copy()
    out = np.empty_like(r)
    stuck = np.zeros(r.shape[:-1])
    prev = np.zeros(r.shape[:-1])
    for t in range(r.shape[-1]):
        c = np.maximum(r[..., t], stuck)
        stuck = stuck + p * np.maximum(c - prev, 0.0)
        out[..., t] = c
        prev = c
    return out


def frontline_cuts(residual_gap: npt.ArrayLike, persistence: float = 0.0) -> np.ndarray:
    """Front-line cuts by year (year 0 is 0 where the residual gap is 0), with persistence.

    Examples
    --------
    >>> frontline_cuts([0, 5, -2]).tolist()
    [0.0, 5.0, 0.0]
    >>> frontline_cuts([0, 5, -2], persistence=1.0).tolist()
    [0.0, 5.0, 5.0]
    """
    return sticky_cuts(residual_gap, persistence)


def cumulative_cuts(residual_gap: npt.ArrayLike, persistence: float = 0.0) -> np.ndarray | float:
    """Cumulative front-line cuts over years 1..H, £-years (undiscounted).

    Examples
    --------
    >>> cumulative_cuts([0, 5, -2, 3])
    8.0
    >>> cumulative_cuts([0, 5, -2, 3], persistence=1.0)
    15.0
    """
    r = frontline_cuts(residual_gap, persistence)[..., 1:].sum(axis=-1)
    return float(r) if np.ndim(r) == 0 else r


def penalty_absorbed_share(penalty_without: npt.ArrayLike, penalty_with: npt.ArrayLike) -> np.ndarray | float | None:
    """Share of the front-loading penalty a programme absorbs: ``(without - with) / without``.

    None (or NaN in arrays) where there is no penalty without the programme; negative
    where the programme leaves the front-loaded path worse off relative to the even path.

    Examples
    --------
    >>> penalty_absorbed_share(10.0, 13.3)
    -0.33
    >>> penalty_absorbed_share(0.0, 0.0) is None
    True
    """
    w = np.asarray(penalty_without, dtype=float)
    p = np.asarray(penalty_with, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(w > 1e-9, (w - p) / np.where(w > 1e-9, w, 1.0), np.nan)
    if s.ndim == 0:
        return None if np.isnan(s) else round(float(s), 12) + 0.0  # no negative zero
    return s + 0.0


def allocate_cuts(
    cuts: npt.ArrayLike,
    spend: Mapping[str, float],
    shared: Iterable[str] = (),
    protect: Iterable[str] = (),
) -> pd.DataFrame:
    """Allocate front-line cuts across services in proportion to their year-0 spend.

    Parameters
    ----------
    cuts : array_like
        Front-line cuts by year, £ thousand.
    spend : mapping
        Year-0 spend by service, £ thousand.
    shared, protect : iterable of str
        Services in the programme (not cut unless nothing else is left) and services
        protected from cuts.

    Returns
    -------
    pandas.DataFrame
        One column per service cut, one row per year, £ thousand.

    Examples
    --------
    >>> allocate_cuts([0, 10], {"central": 50, "cultural": 30, "housing": 10},
    ...               shared=["central"], protect=["housing"]).to_dict("list")
    {'cultural': [0.0, 10.0]}
    """
    names, matrix = _allocation(cuts, spend, shared, protect)
    return pd.DataFrame(matrix, columns=names)


def _allocation(
    cuts: npt.ArrayLike, spend: Mapping[str, float], shared: Iterable[str], protect: Iterable[str]
) -> tuple[list[str], np.ndarray]:
    protect = set(protect)
    shared = set(shared)
    unknown = protect - set(SERVICES)
    if unknown:
        raise InputError(f"protect: {sorted(unknown)} (allowed: {', '.join(SERVICES)})")
    candidates = [s for s in core_services(0) if s not in protect and float(spend.get(s, 0.0)) > 0]
    base = [s for s in candidates if s not in shared] or candidates
    if not base:
        raise InputError(f"protect: {sorted(protect)} leaves no service to cut (allowed: leave at least one core service)")
    w = np.array([float(spend[s]) for s in base])
    c = np.asarray(cuts, dtype=float)
    return base, np.outer(c, w / w.sum())


@dataclass(frozen=True)
class GapResult:
    """Year-by-year arrays of one scenario (all £ thousand real, years 0..H)."""

    funding: np.ndarray
    funding_gap: np.ndarray
    gross_savings: np.ndarray
    running_costs: np.ndarray
    one_off_costs: np.ndarray
    financing: np.ndarray
    reserves_draw: np.ndarray
    persistence: float = 0.0
    capital_receipts: np.ndarray | None = None

    @property
    def programme_cash_flow(self) -> np.ndarray:
        """Gross savings minus running and one-off costs, before financing."""
        return self.gross_savings - self.running_costs - self.one_off_costs

    @property
    def net_savings(self) -> np.ndarray:
        """Net effect on the revenue budget, after financing."""
        return self.programme_cash_flow + self.financing

    @property
    def budget_effect(self) -> np.ndarray:
        """The programme's effect on the council's resources (revenue budget and reserves):
        net savings less what it drew from reserves (a draw is the council's own money)."""
        own = self.reserves_draw if self.capital_receipts is None else self.reserves_draw + self.capital_receipts
        return self.net_savings - own

    @property
    def residual_gap(self) -> np.ndarray:
        """Funding gap minus net savings: what front-line cuts or reserves must close."""
        return self.funding_gap - self.net_savings

    @property
    def frontline_cuts(self) -> np.ndarray:
        """Front-line cuts by year, with the scenario's persistence."""
        return sticky_cuts(self.residual_gap, self.persistence)


def timing_table(
    result: GapResult,
    spend: Mapping[str, float],
    shared: Iterable[str] = (),
    protect: Iterable[str] = (),
) -> pd.DataFrame:
    """The year-by-year timing table.

    Returns
    -------
    pandas.DataFrame
        Index ``year`` (0..H); columns ``financial_year``, ``central_funding``,
        ``funding_gap``, ``gross_savings``, ``running_costs``, ``one_off_costs``,
        ``programme_cash_flow``, ``financing``, ``net_savings``, ``reserves_draw``,
        ``residual_gap``, ``frontline_cuts``, ``coverage`` (NaN = "no gap"), then
        ``cut_<service>`` for each service cut; money in £ thousand, 2010-11 prices.

    Examples
    --------
    >>> z = np.zeros(3)
    >>> r = GapResult(np.array([100.0, 90, 80]), np.array([0.0, 10, 20]), np.array([0.0, 0, 8]),
    ...               z, z, z, z)
    >>> t = timing_table(r, {"central": 60.0, "cultural": 40.0}, shared=["central"])
    >>> t[["funding_gap", "net_savings", "frontline_cuts", "cut_cultural"]].values.tolist()
    [[0.0, 0.0, 0.0, 0.0], [10.0, 0.0, 10.0, 10.0], [20.0, 8.0, 12.0, 12.0]]
    """
    n = result.funding.shape[-1]
    residual = result.residual_gap
    cuts = result.frontline_cuts
    net = result.net_savings
    columns = [
        "central_funding",
        "funding_gap",
        "gross_savings",
        "running_costs",
        "one_off_costs",
        "programme_cash_flow",
        "financing",
        "net_savings",
        "reserves_draw",
        "residual_gap",
        "frontline_cuts",
        "coverage",
    ]
    stacked = [
        result.funding,
        result.funding_gap,
        result.gross_savings,
        result.running_costs,
        result.one_off_costs,
        result.programme_cash_flow,
        result.financing,
        net,
        result.reserves_draw,
        residual,
        cuts,
        coverage(net, result.funding_gap),
    ]
    names, matrix = _allocation(cuts, spend, shared, protect)
    values = np.column_stack([np.vstack(stacked).T, matrix])
    out = pd.DataFrame(values, columns=columns + [f"cut_{s}" for s in names], index=pd.RangeIndex(n, name="year"))
    out.insert(0, "financial_year", [fy_label(t) for t in range(n)])
    return out
