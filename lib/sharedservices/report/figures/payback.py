"""Figures of the payback report (30): pure functions, DataFrame in, Figure out, no I/O.

Inputs are the tables of :mod:`sharedservices.report.tables.payback` (money in £m, 2010-11
prices); titles state the finding and are written by the caller from computed values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices.report import format as fmt
from sharedservices.report import style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["SOURCE_MODEL", "affordability_chart", "payback_timing_chart", "penalty_chart"]

SOURCE_MODEL = ("Source: DCLG/MHCLG Revenue Outturn Summary (RS); cited assumptions in data/assumptions; "
                "sharedservices model.")


def payback_timing_chart(timing: pd.DataFrame, title: str) -> Figure:
    """The funding gap against net savings year by year, residual front-line cuts shaded.

    Parameters
    ----------
    timing : pandas.DataFrame
        From :func:`sharedservices.report.tables.payback_timing` (``financial_year``,
        ``funding_gap_gbp_m``, ``net_savings_gbp_m``, ``residual_frontline_cuts_gbp_m``).
    title : str
        The finding.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"financial_year": ["2010-11", "2011-12", "2012-13"],
    ...                   "funding_gap_gbp_m": [0.0, 2.0, 3.0], "net_savings_gbp_m": [0.0, -0.5, 1.0],
    ...                   "residual_frontline_cuts_gbp_m": [0.0, 2.5, 2.0]})
    >>> fig = payback_timing_chart(t, "Savings arrive after the cuts")
    >>> fig.axes[0].get_ylabel()
    '£m a year, 2010-11 prices'
    """
    fig, ax = style.new_figure(width=8.5, height=4.6)
    x = np.arange(len(timing))
    gap = timing["funding_gap_gbp_m"].to_numpy(dtype=float)
    net = timing["net_savings_gbp_m"].to_numpy(dtype=float)
    ax.fill_between(x, np.minimum(np.maximum(net, 0.0), gap), gap, where=gap > np.maximum(net, 0.0),
                    color=style.PALETTE[5], alpha=0.25, step=None, interpolate=True,
                    label="residual front-line cuts (gap not covered)")
    ax.plot(x, gap, color=style.PALETTE[5], marker="o", lw=2, label="funding gap")
    ax.plot(x, net, color=style.PALETTE[0], marker="s", lw=2, label="net savings after financing")
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_xticks(x, timing["financial_year"].astype(str).tolist(), rotation=45, ha="right")
    ax.legend(loc="upper left", fontsize=8)
    return style.finish(fig, ax, title, x="Financial year", y="£m a year, 2010-11 prices", source=SOURCE_MODEL)


def affordability_chart(by_option: pd.DataFrame, title: str, chosen: str) -> Figure:
    """The revenue-budget effect of the programme year by year under each financing option.

    Parameters
    ----------
    by_option : pandas.DataFrame
        From :func:`sharedservices.report.tables.revenue_effect_by_option` (index ``year``,
        ``financial_year`` then one column per option, £m a year, 2010-11 prices).
    title : str
        The finding (never a ranking by NPV).
    chosen : str
        The report's own option (drawn bold).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> o = pd.DataFrame({"financial_year": ["2010-11", "2011-12"], "reserves": [0.0, 1.0], "revenue": [0.0, -2.0]})
    >>> affordability_chart(o, "Paying from revenue cuts the first year deepest", "reserves").axes[0].get_ylabel()
    '£m a year, 2010-11 prices'
    """
    fig, ax = style.new_figure(width=8.5, height=4.4)
    x = np.arange(len(by_option))
    options = [c for c in by_option.columns if c != "financial_year"]
    for i, opt in enumerate(options):
        bold = opt == chosen
        ax.plot(x, by_option[opt].to_numpy(dtype=float), lw=2.6 if bold else 1.3,
                color=style.PALETTE[i % len(style.PALETTE)], alpha=1.0 if bold else 0.75,
                marker="o" if bold else None, label=opt.replace("_", " ") + (" (this report)" if bold else ""))
    ax.axhline(0, color="#333333", lw=0.8)
    ax.set_xticks(x, by_option["financial_year"].astype(str).tolist(), rotation=45, ha="right")
    ax.legend(loc="lower right", fontsize=8)
    return style.finish(fig, ax, title, x="Financial year", y="£m a year, 2010-11 prices", source=SOURCE_MODEL)


def penalty_chart(penalty: pd.DataFrame, title: str) -> Figure:
    """The front-loading penalty without and with the programme (bars, £m).

    Parameters
    ----------
    penalty : pandas.DataFrame
        From :func:`sharedservices.report.tables.front_loading_penalty_table`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> p = pd.DataFrame({"front_loading_penalty_gbp_m": [10.0, 6.0, 4.0]},
    ...                  index=["without the programme", "with the programme", "absorbed by shared services"])
    >>> len(penalty_chart(p, "Sharing absorbs 40% of the penalty").axes[0].patches)
    3
    """
    fig, ax = style.new_figure(width=7.5, height=3.4)
    vals = penalty["front_loading_penalty_gbp_m"].to_numpy(dtype=float)
    ax.barh(list(penalty.index)[::-1], vals[::-1], color=[style.PALETTE[2], style.PALETTE[0], style.PALETTE[5]])
    ax.axvline(0, color="#333333", lw=0.8)
    for y, v in enumerate(vals[::-1]):
        ax.annotate(fmt.gbp_m(v), (v, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    return style.finish(fig, ax, title,
                        x="Extra front-line cuts over the horizon vs an even path, £m, 2010-11 prices",
                        y=None, source=SOURCE_MODEL)
