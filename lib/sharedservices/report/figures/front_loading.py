"""Figures for the front-loading report (10): pure functions, DataFrame in, Figure out.

Inputs are the tables of :mod:`sharedservices.report.tables.front_loading`; the caller passes the
title (the finding, written from computed values) and the axis label with its price basis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices.model import cuts
from sharedservices.report import style
from sharedservices.report.tables import SERVICE_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["front_loading_distribution", "funding_index_by_class", "service_change_heatmap",
           "sr2010_vs_even"]

SOURCE_SR2010 = ("Source: HM Treasury Spending Review 2010 (DCLG formula grant plans, cash); "
                 "GDP deflator (data/assumptions/prices.yaml); sharedservices analysis.")
SOURCE_RS_REAL = ("Source: DCLG/MHCLG Revenue Outturn Summary (RS) workbooks; GDP deflator "
                  "(data/assumptions/prices.yaml); sharedservices analysis.")


def sr2010_vs_even(paths: pd.DataFrame, title: str) -> Figure:
    """The SR2010 national path against the even path with the same total cut.

    Parameters
    ----------
    paths : DataFrame
        :func:`sharedservices.report.tables.sr2010_against_even` (index year; ``sr2010_index``,
        ``even_index``).
    title : str
        The finding.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from sharedservices.report.tables import sr2010_against_even
    >>> fig = sr2010_vs_even(sr2010_against_even([1.0, 0.85, 0.8, 0.78, 0.75], 4), "Front-loaded")
    >>> fig.axes[0].get_ylabel()
    'Central funding, real, 2010-11 = 100'
    """
    fig, ax = style.new_figure(width=8, height=4.5)
    x = np.arange(len(paths))
    ax.plot(x, paths["sr2010_index"], marker="o", color=style.PALETTE[5], label="SR2010 plans (real)")
    ax.plot(x, paths["even_index"], marker="o", linestyle="--", color=style.PALETTE[0],
            label="Even path, same total cut")
    ax.fill_between(x, paths["sr2010_index"], paths["even_index"], color=style.PALETTE[5], alpha=0.15,
                    label="Cut made earlier than on the even path")
    ax.set_xticks(x, list(paths.index))
    ax.set_ylim(min(60.0, float(paths[["sr2010_index", "even_index"]].min().min()) - 5), 102)
    ax.legend(loc="lower left")
    return style.finish(fig, ax, title, x="Financial year", y="Central funding, real, 2010-11 = 100",
                        source=SOURCE_SR2010)


def funding_index_by_class(df: pd.DataFrame, title: str, *, y_label: str,
                           source: str = SOURCE_RS_REAL, mark_retention_break: bool = True) -> Figure:
    """Central funding (or a spending line) by class over the years, 2010-11 = 100.

    Years are placed on a time axis, so the two years missing from the data (2015-16,
    2016-17) show as a gap; the 2013-14 change of definition is marked.

    Parameters
    ----------
    df : DataFrame
        :func:`sharedservices.report.tables.funding_by_class` or
        :func:`~sharedservices.report.tables.spending_by_class` (``class, year, index_2010_11``).
    y_label : str
        Axis label with the price basis.
    mark_retention_break : bool
        Mark the 2013-14 change in the definition of central funding (not for spending).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> d = pd.DataFrame({"class": ["UA", "UA"], "year": ["2010-11", "2011-12"],
    ...                   "index_2010_11": [100.0, 90.0]})
    >>> fig = funding_index_by_class(d, "Funding fell", y_label="Index")
    >>> len(fig.axes[0].lines) >= 1
    True
    """
    fig, ax = style.new_figure(width=8.5, height=4.8)
    for klass, g in df.groupby("class", sort=False):
        t = [cuts.year_index(y) for y in g["year"]]
        colour = style.CLASS_COLOURS.get(klass, "#000000")
        label = "All principal councils" if klass == "All" else f"{klass} ({_class_name(klass)})"
        ax.plot(t, g["index_2010_11"], marker="o", color=colour, label=label,
                linewidth=2.5 if klass == "All" else 1.5)
    years = sorted({cuts.year_index(y) for y in df["year"]})
    ax.set_xticks(years, [cuts.fy_label(t) for t in years])
    if mark_retention_break and 3 in years:
        ax.axvline(2.5, color="#777777", linestyle=":", linewidth=1)
        ax.text(2.52, ax.get_ylim()[1], " 2013-14: rates retention,\n grants rolled in", va="top",
                fontsize=8, color="#555555")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x="Financial year (2015-16 and 2016-17 not in the data)",
                        y=y_label, source=source)


def _class_name(klass: str) -> str:
    from sharedservices.inputs.data import CLASS_NAMES

    return CLASS_NAMES.get(klass, klass)


def front_loading_distribution(df: pd.DataFrame, sr2010_index: float | None, title: str) -> Figure:
    """Each council's front-loading index by class, with the even path and the SR2010 profile.

    Councils with no net cut have no index and are not drawn (the caller counts them in
    the caption).

    Parameters
    ----------
    df : DataFrame
        One row per council: ``class``, ``front_loading_index`` (NaN for no net cut).
    sr2010_index : float or None
        The national SR2010 profile's index, drawn as a line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> d = pd.DataFrame({"class": ["UA", "SD", "SD"], "front_loading_index": [0.5, 1.2, np.nan]})
    >>> fig = front_loading_distribution(d, 0.3, "Most councils were more front-loaded")
    >>> fig.axes[0].get_xlabel().startswith("Front-loading index")
    True
    """
    import seaborn as sns

    d = df.dropna(subset=["front_loading_index"])
    order = [c for c in style.CLASS_ORDER if c in set(d["class"])]
    fig, ax = style.new_figure(width=8, height=0.7 * len(order) + 1.9)
    palette = {c: style.CLASS_COLOURS[c] for c in order}
    sns.boxplot(data=d, x="front_loading_index", y="class", hue="class", order=order, hue_order=order,
                palette=palette, ax=ax, showfliers=False, width=0.6, boxprops={"alpha": 0.35}, legend=False)
    sns.stripplot(data=d, x="front_loading_index", y="class", hue="class", order=order, hue_order=order,
                  palette=palette, ax=ax, size=3, alpha=0.7, jitter=0.25, legend=False)
    ax.set_yticks(range(len(order)), [f"{c} ({_class_name(c)})" for c in order])
    ax.axvline(0.0, color="#333333", linestyle="--", linewidth=1, label="Even path (0)")
    ax.axvline(1.0, color="#333333", linestyle=":", linewidth=1, label="Whole cut in year 1 (1)")
    if sr2010_index is not None:
        ax.axvline(sr2010_index, color=style.PALETTE[5], linewidth=2,
                   label=f"SR2010 national plans ({sr2010_index:.2f})")
    lo, hi = (d["front_loading_index"].quantile([0.01, 0.97]) if len(d) else (0.0, 1.0))
    left, right = min(-0.3, float(lo) - 0.1), min(max(1.5, float(hi) + 0.1), 4.0)
    ax.set_xlim(left, right)
    beyond = int((d["front_loading_index"] > right).sum() + (d["front_loading_index"] < left).sum())
    if beyond:
        ax.text(1.0, -0.14, f"{beyond} councils beyond the axis", transform=ax.transAxes, ha="right",
                va="top", fontsize=8, color="#555555")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(
        fig, ax, title,
        x="Front-loading index of actual central funding, 2011-12 to 2014-15 (real; 0 even, 1 all in year 1)",
        y=None, source=SOURCE_RS_REAL)


def service_change_heatmap(change: pd.DataFrame, title: str, *, basis: str) -> Figure:
    """Change in each service line by class, % of its 2010-11 level, as a labelled heatmap.

    Parameters
    ----------
    change : DataFrame
        :func:`sharedservices.report.tables.service_change` (index service, columns classes).
    basis : str
        Price basis and years for the colour-bar label, e.g. ``"real, 2010-11 to 2014-15"``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> c = pd.DataFrame({"UA": [-30.0, 5.0]}, index=pd.Index(["cultural", "social_care"], name="service"))
    >>> fig = service_change_heatmap(c, "Culture fell most", basis="real")
    >>> len(fig.axes)
    2
    """
    import seaborn as sns

    data = change.copy()
    names = {**SERVICE_LABELS, "core_spending": "Core spending",
             "social_care": "Social care (adult and children's)"}
    data.index = [names.get(s, s) for s in data.index]
    fig, ax = style.new_figure(width=8.5, height=0.42 * len(data) + 1.8)
    clipped = data.clip(-60, 60)
    sns.heatmap(clipped, ax=ax, cmap="RdBu", center=0, vmin=-60, vmax=60, annot=data.round(0),
                fmt=".0f", linewidths=0.5, cbar_kws={"label": f"% change ({basis}); colour capped at ±60"})
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.grid(False)
    return style.finish(fig, ax, title, x="Class of council (All: every council included)", y=None,
                        source=SOURCE_RS_REAL)
