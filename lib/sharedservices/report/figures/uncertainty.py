"""Figures of the uncertainty report (40): fan charts, tornado, payback distribution.

Pure functions, DataFrame in, Figure out, no I/O; inputs from
:mod:`sharedservices.report.tables.uncertainty` (money in £m, 2010-11 prices).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices.report import style
from sharedservices.report.figures.payback import SOURCE_MODEL

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["fan_chart", "payback_distribution_chart", "tornado_chart"]


def fan_chart(fan: pd.DataFrame, title: str, *, y_label: str, reference: pd.Series | None = None,
              reference_label: str = "funding gap") -> Figure:
    """Percentile bands by year: 5-95 (light), 25-75 (dark) and the median.

    Parameters
    ----------
    fan : pandas.DataFrame
        From :func:`sharedservices.report.tables.fan_gbp_m` (``financial_year``, ``p5_gbp_m``,
        ``p25_gbp_m``, ``p50_gbp_m``, ``p75_gbp_m``, ``p95_gbp_m``).
    y_label : str
        Axis label with unit.
    reference : pandas.Series, optional
        A line to set against the fan (e.g. the funding gap, £m), same length.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> f = pd.DataFrame({"financial_year": ["2010-11", "2011-12"], **{f"p{q}_gbp_m": [0.0, q / 10]
    ...                   for q in (5, 25, 50, 75, 95)}})
    >>> fig = fan_chart(f, "Savings are uncertain", y_label="£m a year, 2010-11 prices")
    >>> len(fig.axes[0].collections)
    2
    """
    fig, ax = style.new_figure(width=8.5, height=4.6)
    x = np.arange(len(fan))
    blue = style.PALETTE[0]
    ax.fill_between(x, fan["p5_gbp_m"], fan["p95_gbp_m"], color=blue, alpha=0.18, lw=0,
                    label="5th-95th percentile")
    ax.fill_between(x, fan["p25_gbp_m"], fan["p75_gbp_m"], color=blue, alpha=0.38, lw=0,
                    label="25th-75th percentile")
    ax.plot(x, fan["p50_gbp_m"], color=blue, lw=2, label="median")
    if reference is not None:
        ax.plot(x, np.asarray(reference, dtype=float), color=style.PALETTE[5], lw=2, ls="--", marker="o",
                label=reference_label)
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_xticks(x, fan["financial_year"].astype(str).tolist(), rotation=45, ha="right")
    ax.legend(loc="upper left", fontsize=8)
    return style.finish(fig, ax, title, x="Financial year", y=y_label, source=SOURCE_MODEL)


def tornado_chart(sens: pd.DataFrame, title: str) -> Figure:
    """One-way sensitivities of the NPV: a bar from the low to the high case per parameter.

    Parameters
    ----------
    sens : pandas.DataFrame
        From :func:`sharedservices.report.tables.sensitivity_table` (``label``,
        ``npv_low_gbp_m``, ``npv_high_gbp_m``, ``central_npv_gbp_m``), largest swing first.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> s = pd.DataFrame({"label": ["savings rate", "delay"], "npv_low_gbp_m": [1.0, 3.0],
    ...                   "npv_high_gbp_m": [7.0, 4.0], "central_npv_gbp_m": [4.0, 4.0]})
    >>> len(tornado_chart(s, "Savings rate matters most").axes[0].patches)
    4
    """
    fig, ax = style.new_figure(width=8.5, height=max(2.8, 0.6 * len(sens) + 1.6))
    s = sens.iloc[::-1]
    y = np.arange(len(s))
    central = float(s["central_npv_gbp_m"].iloc[0])
    lo = s["npv_low_gbp_m"].to_numpy(dtype=float)
    hi = s["npv_high_gbp_m"].to_numpy(dtype=float)
    ax.barh(y, lo - central, left=central, color=style.PALETTE[5], label="low case of the parameter")
    ax.barh(y, hi - central, left=central, color=style.PALETTE[0], label="high case of the parameter")
    ax.axvline(central, color="#333333", lw=1)
    ax.set_yticks(y, s["label"].astype(str).tolist())
    ax.legend(loc="lower right", fontsize=8)
    return style.finish(fig, ax, title, x="NPV of the programme, £m, 2010-11 prices (line: central case)",
                        y=None, source=SOURCE_MODEL)


def payback_distribution_chart(dist: pd.DataFrame, title: str) -> Figure:
    """Share of simulations paying back in each year, one bar per case (grouped).

    Parameters
    ----------
    dist : pandas.DataFrame
        From :func:`sharedservices.report.tables.payback_distribution` (index ``payback``, one
        column per case, % of draws).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> d = pd.DataFrame({"with": [10.0, 90.0], "without": [50.0, 50.0]}, index=["2011-12", "never"])
    >>> len(payback_distribution_chart(d, "Later with optimism bias").axes[0].patches)
    4
    """
    fig, ax = style.new_figure(width=8.5, height=4.2)
    x = np.arange(len(dist))
    k = max(len(dist.columns), 1)
    w = 0.8 / k
    for i, col in enumerate(dist.columns):
        ax.bar(x - 0.4 + w * (i + 0.5), dist[col].to_numpy(dtype=float), width=w,
               color=style.PALETTE[i % len(style.PALETTE)], label=str(col))
    ax.set_xticks(x, [str(v) for v in dist.index], rotation=45, ha="right")
    ax.legend(loc="upper left", fontsize=8)
    return style.finish(fig, ax, title, x="Payback year (cumulative cash flow turns positive)",
                        y="% of simulations", source=SOURCE_MODEL)
