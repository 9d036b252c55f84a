"""Funding paths: how much central funding a council loses, and when.

Conventions
-----------
* **Years**: year 0 is 2010-11, the base year before the cuts; years 1-4 (2011-12 to
  2014-15) are the Spending Review period; a horizon H means years 0..H inclusive.
* **Money**: real, 2010-11 prices, £ thousand (cash deflated by the GDP deflator in
  ``data/assumptions/prices.yaml``).
* A **path** is central funding by year, ``path[t]`` for t = 0..H.  Every path stays at its
  final level after the years it describes.
* The **funding gap** in year t is ``path[0] - path[t]`` plus accumulated demand pressure;
  positive means the council has less than it had in 2010-11.

Central funding (like for like)
-------------------------------
The measure in ``data/processed/central_funding.csv`` (built by
:mod:`sharedservices.inputs.importers.central_funding`): the same kinds of central revenue
funding on both sides of the 2011-12 roll-in and of the 2013-14 change to rates
retention, schools, public health and responsibilities that arrived with their own money
left out.  :func:`central_funding` reads one council's row and deflates it.

The **front-loading index** of a path over years 1..N, from its gaps g_1..g_N before
demand pressure, is ``(mean(g) / g_N - (N+1)/(2N)) / (1 - (N+1)/(2N))``: 0 for the even
path (equal £ steps), 1 when the whole cut falls in year 1, exactly phi for
:func:`parametric_path`; undefined ("no net cut") when g_N <= 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sharedservices.errors import DataError, InputError

__all__ = [
    "BASE_YEAR",
    "NO_NET_CUT",
    "CentralFunding",
    "central_funding",
    "deflate",
    "deflate_long",
    "demand_pressure",
    "even_path",
    "extend_path",
    "front_loading_index",
    "funding_gap",
    "fy_label",
    "parametric_path",
    "path_cut_years",
    "sr2010_path",
    "year_index",
]

#: Financial year of year index 0.
BASE_YEAR = "2010-11"
#: How an undefined front-loading index is reported.
NO_NET_CUT = "no net cut"


def fy_label(t: int) -> str:
    """Financial-year label of year index ``t`` (0 -> ``'2010-11'``).

    Examples
    --------
    >>> fy_label(0), fy_label(4), fy_label(89)
    ('2010-11', '2014-15', '2099-00')
    """
    start = 2010 + int(t)
    return f"{start}-{(start + 1) % 100:02d}"


def year_index(label: str) -> int:
    """Year index of a financial-year label (``'2013-14'`` -> 3).

    Examples
    --------
    >>> year_index("2013-14")
    3
    """
    try:
        start, end = str(label).split("-")
        t = int(start) - 2010
        if (int(start) + 1) % 100 != int(end):
            raise ValueError
    except ValueError:
        raise InputError(f"year: {label!r} is not a financial year (allowed: e.g. '2010-11')") from None
    return t


def _check_horizon(horizon: int) -> int:
    """The last year index of an array: a whole number >= 1 (a scenario's allowed horizon is
    :func:`sharedservices.model.spec.spec` ``("horizon")``, checked where the scenario is made)."""
    if int(horizon) != horizon or horizon < 1:
        raise InputError(f"horizon: {horizon!r} (allowed: a whole number of years >= 1)")
    return int(horizon)


def extend_path(levels: npt.ArrayLike, horizon: int) -> np.ndarray:
    """Hold a path at its last level out to year ``horizon`` (or cut it short).

    Examples
    --------
    >>> extend_path([100, 90, 80], 4).tolist()
    [100.0, 90.0, 80.0, 80.0, 80.0]
    """
    h = _check_horizon(horizon)
    lv = np.asarray(levels, dtype=float)
    if lv.ndim != 1 or lv.size == 0:
        raise InputError(f"path: shape {lv.shape} (allowed: one level per year from year 0)")
    if lv.size >= h + 1:
        return lv[: h + 1].copy()
    return np.concatenate([lv, np.full(h + 1 - lv.size, lv[-1])])


def parametric_path(
    total_cut: float, cut_years: int, front_loading: float, horizon: int = 10, base_funding: float = 1.0
) -> np.ndarray:
    """Central funding under a parametric cut.

    The cut in year t = 1..N is ``C * ((1 - phi)/N + phi * [t == 1])`` of year-0 funding;
    funding stays at its final level after year N.

    Parameters
    ----------
    total_cut : float
        C, the total real-terms cut as a fraction of year-0 funding, -1 to 1 (negative
        for a rise).
    cut_years : int
        N >= 1, the number of years over which the cut falls.
    front_loading : float
        phi in [0, 1]: 0 the even path (equal £ steps), 1 the whole cut in year 1.
    horizon : int
        Last year index H; the result has H + 1 entries.
    base_funding : float
        Year-0 funding (£ thousand real); 1.0 gives the path as a share of year 0.

    Returns
    -------
    numpy.ndarray
        Funding, years 0..H, in the units of ``base_funding``.

    Examples
    --------
    >>> parametric_path(0.2, 4, 0.0, horizon=5).round(3).tolist()
    [1.0, 0.95, 0.9, 0.85, 0.8, 0.8]
    >>> parametric_path(0.2, 4, 0.5, horizon=4, base_funding=100).round(3).tolist()
    [100.0, 87.5, 85.0, 82.5, 80.0]
    """
    h = _check_horizon(horizon)
    if not (-1.0 <= total_cut <= 1.0):
        raise InputError(f"total cut: {total_cut!r} (allowed: a fraction of year-0 funding, -1 to 1)")
    if int(cut_years) != cut_years or cut_years < 1:
        raise InputError(f"cut years: {cut_years!r} (allowed: a whole number >= 1)")
    if not (0.0 <= front_loading <= 1.0):
        raise InputError(f"front-loading: {front_loading!r} (allowed: 0 to 1)")
    n = int(cut_years)
    t = np.arange(h + 1)
    step = np.where((t >= 1) & (t <= n), (1.0 - front_loading) / n, 0.0)
    step[t == 1] += front_loading
    return base_funding * (1.0 - total_cut * np.cumsum(step))


def path_cut_years(path: npt.ArrayLike, cut_years: int | None = None) -> int:
    """N for a path: given, else the last year in which funding changed (at least 1).

    Examples
    --------
    >>> path_cut_years([100, 90, 85, 85, 85])
    2
    """
    if cut_years is not None:
        if int(cut_years) != cut_years or cut_years < 1:
            raise InputError(f"cut years: {cut_years!r} (allowed: a whole number >= 1)")
        return int(cut_years)
    p = np.asarray(path, dtype=float)
    changed = np.flatnonzero(np.abs(np.diff(p)) > 1e-12 * max(1.0, abs(p[0])))
    return int(changed[-1] + 1) if changed.size else 1


def even_path(path: npt.ArrayLike, cut_years: int | None = None) -> np.ndarray:
    """The even path with the same N and the same final funding as ``path``.

    Funding falls in equal £ steps from ``path[0]`` to ``path[N]`` over years 1..N, then
    stays there; the result has the same length as ``path``.

    Parameters
    ----------
    path : array_like
        Funding, years 0..H.
    cut_years : int, optional
        N; default the last year in which ``path`` changes (:func:`path_cut_years`).

    Examples
    --------
    >>> even_path([100, 80, 76, 76, 76], 2).tolist()
    [100.0, 88.0, 76.0, 76.0, 76.0]
    """
    p = np.asarray(path, dtype=float)
    n = path_cut_years(p, cut_years)
    if n > p.size - 1:
        raise InputError(f"cut years: {n} (allowed: at most the horizon, {p.size - 1})")
    t = np.arange(p.size)
    return p[0] + (p[n] - p[0]) * np.minimum(t, n) / n


def demand_pressure(base_spend: npt.ArrayLike, real_growth: npt.ArrayLike, horizon: int) -> np.ndarray:
    """Accumulated demand pressure: the extra real spending needed to stand still.

    ``pressure[t] = sum_s spend_s * ((1 + g_s)^t - 1)`` for the services given.

    Parameters
    ----------
    base_spend : array_like
        Year-0 spend on each pressured service, £ thousand real.
    real_growth : array_like
        Real demand growth per year for each service, fraction.
    horizon : int

    Returns
    -------
    numpy.ndarray
        £ thousand real, years 0..H (0 in year 0).

    Examples
    --------
    >>> demand_pressure([1000.0], [0.02], 2).round(1).tolist()
    [0.0, 20.0, 40.4]
    """
    h = _check_horizon(horizon)
    s = np.atleast_1d(np.asarray(base_spend, dtype=float))
    g = np.atleast_1d(np.asarray(real_growth, dtype=float))
    t = np.arange(h + 1)[:, None]
    return ((1.0 + g) ** t - 1.0) @ s


def funding_gap(path: npt.ArrayLike, pressure: npt.ArrayLike | float = 0.0) -> np.ndarray:
    """Funding gap by year: year-0 funding minus year-t funding plus demand pressure.

    Parameters
    ----------
    path : array_like
        Central funding, years 0..H, £ thousand real.
    pressure : array_like or float
        Accumulated demand pressure, years 0..H (see :func:`demand_pressure`), £ thousand.

    Returns
    -------
    numpy.ndarray
        £ thousand real; positive = less money than in 2010-11.

    Examples
    --------
    >>> funding_gap([100, 90, 80], [0, 1, 2]).tolist()
    [0.0, 11.0, 22.0]
    """
    p = np.asarray(path, dtype=float)
    return p[..., :1] - p + np.asarray(pressure, dtype=float)


def front_loading_index(gaps: npt.ArrayLike) -> float | None:
    """Front-loading index of a path from its gaps g_1..g_N (before demand pressure).

    Parameters
    ----------
    gaps : array_like
        The funding gaps in years 1..N (not year 0), £ (any unit).

    Returns
    -------
    float or None
        0 for the even path, 1 for the whole cut in year 1; may leave [0, 1] for paths
        that overshoot or reverse.  None ("no net cut", :data:`NO_NET_CUT`) when
        g_N <= 0.  For N = 1 every path is both even and fully front-loaded; 0 is
        returned.

    Examples
    --------
    >>> front_loading_index([5, 10, 15, 20])
    0.0
    >>> front_loading_index([20, 20, 20, 20])
    1.0
    >>> front_loading_index([5, 3, -1]) is None
    True
    """
    g = np.asarray(gaps, dtype=float)
    if g.ndim != 1 or g.size == 0:
        raise InputError(f"gaps: shape {g.shape} (allowed: the gaps of years 1..N)")
    n = g.size
    if not g[-1] > 0:
        return None
    if n == 1:
        return 0.0
    even_mean = (n + 1) / (2 * n)
    return float((g.mean() / g[-1] - even_mean) / (1.0 - even_mean))


def deflate(cash: npt.ArrayLike, years: Sequence[str], deflator: Mapping[str, float]) -> np.ndarray:
    """Cash to real 2010-11 prices: ``cash * index[2010-11] / index[year]``.

    Examples
    --------
    >>> deflate([100.0, 102.0], ["2010-11", "2011-12"], {"2010-11": 100, "2011-12": 102}).tolist()
    [100.0, 100.0]
    """
    try:
        idx = np.array([float(deflator[y]) for y in years])
        base = float(deflator[BASE_YEAR])
    except KeyError as e:
        raise DataError(
            f"prices.gdp_deflator: no index for {e.args[0]!r} (allowed years: {', '.join(map(str, deflator))})"
        ) from None
    return np.asarray(cash, dtype=float) * base / idx


def deflate_long(df: pd.DataFrame, deflator: Mapping[str, float], column: str = "gbp_thousand") -> pd.DataFrame:
    """A long table with ``year`` and a cash money column, in 2010-11 prices.

    Examples
    --------
    >>> d = pd.DataFrame({"year": ["2010-11", "2011-12"], "gbp_thousand": [100.0, 102.0]})
    >>> deflate_long(d, {"2010-11": 100.0, "2011-12": 102.0})["gbp_thousand"].tolist()
    [100.0, 100.0]
    """
    out = df.copy()
    out[column] = deflate(out[column].to_numpy(dtype=float), list(out["year"].astype(str)), deflator)
    return out


def _series(v: Any, what: str) -> tuple[list[str], np.ndarray]:
    if isinstance(v, Mapping):
        years = sorted(str(k) for k in v)
        return years, np.array([float(v[y]) for y in years])
    if isinstance(v, Sequence) and not isinstance(v, str):
        return [fy_label(i) for i in range(len(v))], np.array([float(x) for x in v])
    raise DataError(f"{what}: {v!r} is not a series (allowed: mapping of year to value, or a list from 2010-11)")


def sr2010_path(
    base_funding: float,
    horizon: int = 10,
    *,
    cash_profile: Mapping[str, float] | Sequence[float],
    deflator: Mapping[str, float],
    what: str = "sr2010.formula_grant_cash_gbp_bn",
) -> np.ndarray:
    """The SR2010 national profile applied to a council's 2010-11 central funding.

    The national formula-grant plans (cash, £bn, ``sr2010.formula_grant_cash_gbp_bn``) are
    deflated to 2010-11 prices and expressed relative to 2010-11; the council's path is its
    year-0 funding times that ratio, held flat in real terms after the last planned year.

    Parameters
    ----------
    base_funding : float
        The council's 2010-11 central funding, £ thousand.
    horizon : int
    cash_profile, deflator : mapping of year label to value
        The cash plans (``sr2010.formula_grant_cash_gbp_bn``) and the GDP deflator
        (:func:`sharedservices.model.cited.sr2010_ratio` passes the cited ones).
    what : str
        The plans' name, for messages.

    Returns
    -------
    numpy.ndarray
        £ thousand real, years 0..H.

    Examples
    --------
    >>> sr2010_path(100.0, 3, cash_profile={"2010-11": 28.0, "2011-12": 25.0},
    ...             deflator={"2010-11": 100.0, "2011-12": 102.0}).round(2).tolist()
    [100.0, 87.54, 87.54, 87.54]
    """
    years, cash = _series(cash_profile, what)
    if years[0] != BASE_YEAR:
        raise DataError(f"{what}: starts {years[0]!r} (allowed: from {BASE_YEAR!r})")
    real = deflate(cash, years, deflator)
    return extend_path(base_funding * real / real[0], horizon)


# --------------------------------------------------------------------------------------
# A council's actual central funding
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CentralFunding:
    """A council's central funding by year, like for like, real 2010-11 prices.

    Attributes
    ----------
    ecode : str
    years : tuple of str
        Financial years with data, from 2010-11 (a year the council made no return is left
        out).
    cash_gbp_thousand, real_gbp_thousand : numpy.ndarray
        Like-for-like central funding in cash and in 2010-11 prices (£ thousand).
    rollin_abg_gbp_thousand : float
        Area Based Grant counted in 2010-11 (real): most of it was rolled into formula
        grant or the Early Intervention Grant in 2011-12.
    retention_step_gbp_thousand : float or None
        Real like-for-like funding in 2013-14 minus 2012-13, across the change to rates
        retention; None when either year is missing.
    estimated_share : numpy.ndarray
        By year, the share of the total that rests on the suite's estimates
        (``estimated_gbp_thousand / gbp_thousand`` of ``central_funding.csv``).
    flags : tuple of str
        ``year:flag`` codes from ``central_funding.csv`` (for example ``2017-18:rates_pilot``).
    """

    ecode: str
    years: tuple[str, ...]
    cash_gbp_thousand: np.ndarray
    real_gbp_thousand: np.ndarray
    rollin_abg_gbp_thousand: float
    retention_step_gbp_thousand: float | None
    estimated_share: np.ndarray | None = None
    flags: tuple[str, ...] = ()


def central_funding(table: pd.DataFrame, ecode: str, deflator: Mapping[str, float]) -> CentralFunding:
    """One council's like-for-like central funding from the ``central_funding`` table.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`sharedservices.inputs.data.central_funding` (columns ``ecode, year,
        gbp_thousand, area_based_grant, estimated_gbp_thousand, flags``; £ thousand, cash);
        other councils' rows are ignored.
    ecode : str
    deflator : mapping
        Year label -> GDP deflator index (``prices.gdp_deflator``).

    Returns
    -------
    CentralFunding

    Raises
    ------
    DataError
        The council has no 2010-11 row.

    Examples
    --------
    >>> t = pd.DataFrame({"ecode": "E1", "year": ["2010-11", "2011-12"],
    ...     "gbp_thousand": [110.0, 99.0], "area_based_grant": [10.0, 0.0],
    ...     "estimated_gbp_thousand": [0.0, 9.9], "flags": [None, None]})
    >>> cf = central_funding(t, "E1", {"2010-11": 100, "2011-12": 110})
    >>> cf.real_gbp_thousand.tolist(), cf.rollin_abg_gbp_thousand, cf.estimated_share.tolist()
    ([110.0, 90.0], 10.0, [0.0, 0.1])
    """
    sub = table[table["ecode"] == ecode]
    sub = sub[sub["gbp_thousand"].notna()].sort_values("year")
    years = [str(y) for y in sub["year"]]
    if BASE_YEAR not in years:
        raise DataError(
            f"central_funding: council {ecode!r} has no {BASE_YEAR} row (allowed: a council in data/processed/central_funding.csv)"
        )
    dfl = deflator
    cash = sub["gbp_thousand"].to_numpy(dtype=float)
    real = deflate(cash, years, dfl)
    abg = float(deflate([float(sub["area_based_grant"].iloc[0])], [BASE_YEAR], dfl)[0])
    step = None
    if "2012-13" in years and "2013-14" in years:
        step = float(real[years.index("2013-14")] - real[years.index("2012-13")])
    est = sub["estimated_gbp_thousand"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cash > 0, est / np.where(cash > 0, cash, 1.0), np.nan)
    flags = tuple(f"{y}:{f}" for y, fl in zip(years, sub["flags"], strict=True)
                  if isinstance(fl, str) for f in fl.split(";") if f)
    return CentralFunding(ecode, tuple(years), cash, real, abg, step, share, flags)
