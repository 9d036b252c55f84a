"""Figures for the scale-and-partners report: DataFrame in, matplotlib Figure out, no I/O.

Inputs are :mod:`sharedservices.model.scale` / :mod:`sharedservices.model.partners` outputs (or the
readable tables of :mod:`sharedservices.report.tables.scale`).  Titles are passed in by the
caller, written from computed values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices.report import style
from sharedservices.report.tables.overview import SERVICE_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["match_distance_plot", "partner_savings_plot", "scale_class_plot", "scale_coefficient_plot",
           "scale_residual_plot"]

ELASTICITY_LABEL = "Elasticity of spending per head with respect to population (dimensionless; < 0 = economies of scale)"


def scale_coefficient_plot(coefs: pd.DataFrame, title: str) -> Figure:
    """Elasticity per service with its confidence interval (HC3), a line at zero.

    Parameters
    ----------
    coefs : DataFrame
        :func:`sharedservices.model.scale.coefficients` output (``service, elasticity, ci_low,
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
        :func:`sharedservices.model.scale.residuals` output (``name, class, log_population,
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
        :func:`sharedservices.report.tables.partner_table` output (``kind, partner,
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
    loss = data["saving_gbp_m_low"] < 0
    ax.set_yticks(y, [f"{p} ({k}{', interval includes a loss' if lo else ''})"
                      for p, k, lo in zip(data["partner"], data["kind"], loss, strict=True)])
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colour["near"], label="near"),
                       Patch(color=colour["far"], label="far: similar class, farther away")],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x="£m a year, real 2010-11 prices (pair combined)", y=None,
                        source=style.SOURCE_RS_CENSUS)


def scale_class_plot(compare: pd.DataFrame, title: str, *, service: str = "central") -> Figure:
    """One service's elasticity per class, without and with the density and deprivation controls.

    Parameters
    ----------
    compare : DataFrame
        ``service, class, n_with, elasticity_*, ci_low_*, ci_high_*`` with suffixes
        ``_without`` and ``_with`` (the notebook's ``class_compare``).
    title : str
        The finding.
    service : str
        The service shown.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> c = pd.DataFrame({"service": "central", "class": ["SD", "UA"], "n_with": [177, 52],
    ...     "elasticity_without": [-0.4, -0.17], "ci_low_without": [-0.6, -0.4], "ci_high_without": [-0.2, 0.06],
    ...     "elasticity_with": [-0.42, -0.18], "ci_low_with": [-0.59, -0.44], "ci_high_with": [-0.25, 0.08]})
    >>> len(scale_class_plot(c, "Only districts").axes[0].get_yticklabels())
    2
    """
    data = compare[compare["service"] == service].reset_index(drop=True)
    fig, ax = style.new_figure(width=9, height=0.6 * len(data) + 1.8)
    y = np.arange(len(data))
    for offset, suffix, colour, label in ((0.15, "_without", style.PALETTE[1], "class and region only"),
                                           (-0.15, "_with", style.PALETTE[0], "plus density and deprivation")):
        e = data[f"elasticity{suffix}"]
        ax.errorbar(e, y + offset, xerr=[e - data[f"ci_low{suffix}"], data[f"ci_high{suffix}"] - e],
                    fmt="o", color=colour, ecolor=colour, capsize=3, label=label)
    ax.axvline(0.0, color="#000000", linewidth=0.8)
    ax.set_yticks(y, [f"{c} (n={int(n)})" for c, n in zip(data["class"], data["n_with"], strict=True)])
    ax.legend(loc="lower right", fontsize=8)
    return style.finish(fig, ax, title, x=ELASTICITY_LABEL, y=None, source=style.SOURCE_RS_CENSUS)


def match_distance_plot(bands: pd.DataFrame, title: str) -> Figure:
    """How well possible partners match, by distance band: median and quartiles of the
    service-mix and cost-structure mismatch, one line per kind of council.

    Parameters
    ----------
    bands : DataFrame
        ``match_by_distance(...)["bands"]``.
    title : str
        The finding.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> b = pd.DataFrame({"group": "shire districts", "band": ["0-25 km", "25-50 km"], "pairs": [10, 20],
    ...     "mix_distance_q25": [0.1, 0.1], "mix_distance_median": [0.15, 0.16], "mix_distance_q75": [0.2, 0.2],
    ...     "cost_distance_q25": [0.3, 0.3], "cost_distance_median": [0.4, 0.41], "cost_distance_q75": [0.5, 0.5]})
    >>> len(match_distance_plot(b, "Distance does not matter").axes)
    2
    """
    fig, (mix_ax, cost_ax) = style.new_figure(1, 2, width=10, height=4.6)
    bands = bands.copy()
    bands["band"] = bands["band"].astype(str)
    order = list(dict.fromkeys(bands["band"]))
    x = {b: i for i, b in enumerate(order)}
    for i, (group, part) in enumerate(bands.groupby("group", sort=True)):
        xs = np.array([x[b] for b in part["band"]], dtype=float) + (i - 1) * 0.08
        for ax, m in ((mix_ax, "mix_distance"), (cost_ax, "cost_distance")):
            med = part[f"{m}_median"].to_numpy()
            ax.errorbar(xs, med, yerr=[med - part[f"{m}_q25"], part[f"{m}_q75"] - med], fmt="o-",
                        color=style.PALETTE[i % len(style.PALETTE)], capsize=3, label=str(group))
    for ax in (mix_ax, cost_ax):
        ax.set_xticks(range(len(order)), order, rotation=20, fontsize=8)
        ax.set_ylim(bottom=0)
    mix_ax.legend(fontsize=8, loc="upper left")
    cost_ax.set_ylabel("Cost-structure mismatch, log points of £ per head")
    cost_ax.set_xlabel("Distance between centres")
    return style.finish(fig, mix_ax, title, x="Distance between centres",
                        y="Service-mix mismatch (0 = same mix, 1 = nothing shared)",
                        source=style.SOURCE_RS_CENSUS + "; council centres: mySociety (CC BY 4.0)")
