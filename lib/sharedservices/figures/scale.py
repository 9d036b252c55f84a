"""Figures for the scale-and-partners report: DataFrame in, matplotlib Figure out, no I/O.

Inputs are :mod:`sharedservices.scale` / :mod:`sharedservices.partners` outputs (or the
readable tables of :mod:`sharedservices.tables.scale`).  Titles are passed in by the
caller, written from computed values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices import style
from sharedservices.tables.overview import SERVICE_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["partner_savings_plot", "scale_coefficient_plot", "scale_residual_plot"]

ELASTICITY_LABEL = "Elasticity of spending per head with respect to population (dimensionless; < 0 = economies of scale)"


def scale_coefficient_plot(coefs: pd.DataFrame, title: str) -> Figure:
    """Elasticity per service with its confidence interval (HC3), a line at zero.

    Parameters
    ----------
    coefs : DataFrame
        :func:`sharedservices.scale.coefficients` output (``service, elasticity, ci_low,
        ci_high, n``).
    title : str
        The finding.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> c = pd.DataFrame({"service": ["central", "housing"], "elasticity": [-0.1, 0.05],
    ...     "ci_low": [-0.2, -0.05], "ci_high": [0.0, 0.15], "n": [300, 290]})
    >>> fig = scale_coefficient_plot(c, "Central services show economies of scale")
    >>> len(fig.axes[0].get_yticklabels())
    2
    """
    data = coefs.sort_values("elasticity", kind="stable").reset_index(drop=True)
    fig, ax = style.new_figure(width=9, height=0.45 * len(data) + 1.8)
    y = np.arange(len(data))
    below = data["ci_high"] < 0
    colours = [style.PALETTE[0] if b else style.PALETTE[1] for b in below]
    ax.errorbar(data["elasticity"], y,
                xerr=[data["elasticity"] - data["ci_low"], data["ci_high"] - data["elasticity"]],
                fmt="none", ecolor="#555555", capsize=3, zorder=1)
    ax.scatter(data["elasticity"], y, c=colours, zorder=2)
    ax.axvline(0.0, color="#000000", linewidth=0.8)
    ax.set_yticks(y, [f"{SERVICE_LABELS.get(s, s)} (n={n})" for s, n in zip(data["service"], data["n"], strict=True)])
    from matplotlib.lines import Line2D

    ax.legend(handles=[
        Line2D([], [], marker="o", linestyle="", color=style.PALETTE[0], label="whole interval below zero"),
        Line2D([], [], marker="o", linestyle="", color=style.PALETTE[1], label="interval includes zero or above"),
    ], loc="lower right", fontsize=8)
    return style.finish(fig, ax, title, x=ELASTICITY_LABEL, y=None, source=style.SOURCE_RS_CENSUS)


def scale_residual_plot(resid: pd.DataFrame, title: str, *, label_top: int = 3) -> Figure:
    """Residual diagnostics of one fit: residual against log population, and a normal Q-Q plot.

    Parameters
    ----------
    resid : DataFrame
        :func:`sharedservices.scale.residuals` output (``name, class, log_population,
        residual, studentized_residual``).
    title : str
        The finding.
    label_top : int
        Name the councils with the largest absolute studentized residuals.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> r = pd.DataFrame({"name": list("ABCD"), "class": ["SD", "SD", "UA", "L"],
    ...     "log_population": [11.0, 11.5, 12.0, 12.5], "residual": [0.1, -0.2, 0.05, 0.0],
    ...     "studentized_residual": [0.8, -1.9, 0.4, 0.0]})
    >>> len(scale_residual_plot(r, "Residuals look symmetric").axes)
    2
    """
    from scipy import stats

    fig, (ax, qq) = style.new_figure(1, 2, width=10, height=4.6)
    for cls in style.CLASS_ORDER:
        part = resid[resid["class"] == cls]
        if len(part):
            ax.scatter(np.exp(part["log_population"]) / 1000.0, part["residual"], s=14, alpha=0.8,
                       color=style.CLASS_COLOURS[cls], label=cls)
    ax.set_xscale("log")
    ax.axhline(0.0, color="#000000", linewidth=0.8)
    top = resid.reindex(resid["studentized_residual"].abs().sort_values(ascending=False).index).head(label_top)
    for i, row in enumerate(top.itertuples()):  # staggered so neighbouring labels do not overlap
        ax.annotate(str(row.name), (np.exp(row.log_population) / 1000.0, row.residual), fontsize=7,
                    xytext=(4, 4 - 9 * i), textcoords="offset points")
    ax.legend(title="class", fontsize=8, loc="best")
    s = resid["studentized_residual"].dropna().sort_values().to_numpy()
    theory = stats.norm.ppf((np.arange(1, s.size + 1) - 0.5) / max(s.size, 1))
    qq.scatter(theory, s, s=12, color=style.PALETTE[0])
    lim = [float(np.nanmin([theory.min(initial=0), s.min(initial=0)])),
           float(np.nanmax([theory.max(initial=0), s.max(initial=0)]))]
    qq.plot(lim, lim, color="#000000", linewidth=0.8)
    qq.set_xlabel("Normal quantile (standard deviations)")
    qq.set_ylabel("Studentized residual (standard deviations)")
    return style.finish(fig, ax, title, x="Population, thousands (log scale; Census 2011)",
                        y="Residual, log points of £ per head", source=style.SOURCE_RS_CENSUS)


def partner_savings_plot(candidates: pd.DataFrame, title: str) -> Figure:
    """Implied annual saving of pairing the council with each candidate, with its interval.

    Parameters
    ----------
    candidates : DataFrame
        :func:`sharedservices.tables.partner_table` output (``kind, partner,
        saving_gbp_m, saving_gbp_m_low, saving_gbp_m_high``).
    title : str
        The finding.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> c = pd.DataFrame({"kind": ["near", "far"], "partner": ["A", "B"], "saving_gbp_m": [0.4, 0.5],
    ...     "saving_gbp_m_low": [0.1, 0.2], "saving_gbp_m_high": [0.7, 0.8]})
    >>> partner_savings_plot(c, "Far partners save as much").axes[0].get_xlabel()
    '£m a year, real 2010-11 prices (pair combined)'
    """
    data = candidates.iloc[::-1].reset_index(drop=True)
    fig, ax = style.new_figure(width=9, height=0.4 * len(data) + 1.8)
    y = np.arange(len(data))
    colour = {"near": style.PALETTE[0], "far": style.PALETTE[2]}
    ax.barh(y, data["saving_gbp_m"], color=[colour.get(k, "#999999") for k in data["kind"]])
    ax.errorbar(data["saving_gbp_m"], y,
                xerr=[data["saving_gbp_m"] - data["saving_gbp_m_low"],
                      data["saving_gbp_m_high"] - data["saving_gbp_m"]],
                fmt="none", ecolor="#333333", capsize=3)
    ax.axvline(0.0, color="#000000", linewidth=0.8)
    ax.set_yticks(y, [f"{p} ({k})" for p, k in zip(data["partner"], data["kind"], strict=True)])
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colour["near"], label="near: same county or region"),
                       Patch(color=colour["far"], label="far: similar class and size elsewhere")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x="£m a year, real 2010-11 prices (pair combined)", y=None,
                        source=style.SOURCE_RS_CENSUS)
