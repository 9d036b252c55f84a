"""Figures for the savings-potential report (20): pure functions, DataFrame in, Figure out.

Inputs are :func:`sharedservices.model.national.savings_potential` (with ``class`` merged in) and
the tables of :mod:`sharedservices.report.tables.savings`; the caller passes the title (the
finding) and the benchmark lines (name -> % of total service expenditure).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices.report import style
from sharedservices.report.names import PROGRAMME_LABELS  # re-exported: one place for the names

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["PROGRAMME_LABELS", "reach_chart", "reach_curves", "savings_distribution"]

#: Plain names of the programme presets.
SOURCE_SAVINGS = ("Source: DCLG/MHCLG RS outturn; GDP deflator; savings rates and benchmarks from "
                  "data/assumptions (programmes.yaml, savings_evidence.yaml); sharedservices model.")


def savings_distribution(df: pd.DataFrame, column: str, benchmarks: Mapping[str, float], title: str,
                         *, x_label: str) -> Figure:
    """Each council's steady-state saving by class, one box per programme, with benchmarks.

    Parameters
    ----------
    df : DataFrame
        One row per council and programme: ``class``, ``programme`` and ``column``
        (a percentage).
    benchmarks : mapping of str to float
        Label -> value in the units of ``column``, drawn as vertical lines.
    x_label : str
        Axis label with its basis (``"% of total service expenditure"``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> d = pd.DataFrame({"class": ["UA", "UA", "SD", "SD"], "programme": ["back_office", "broad"] * 2,
    ...                   "pct": [2.0, 5.0, 6.0, 6.5]})
    >>> fig = savings_distribution(d, "pct", {"NLGN 1.8%": 1.8}, "Few reach 10% of spending", x_label="%")
    >>> fig.axes[0].get_xlabel()
    '%'
    """
    import seaborn as sns

    order = [c for c in style.CLASS_ORDER if c in set(df["class"])]
    progs = list(dict.fromkeys(df["programme"]))
    fig, ax = style.new_figure(width=9, height=0.9 * len(order) + 2.2)
    palette = {p: style.PALETTE[i % len(style.PALETTE)] for i, p in enumerate(progs)}
    d = df.assign(programme=df["programme"].map(lambda p: PROGRAMME_LABELS.get(p, p)))
    sns.boxplot(data=d, x=column, y="class", hue="programme", order=order,
                hue_order=[PROGRAMME_LABELS.get(p, p) for p in progs],
                palette={PROGRAMME_LABELS.get(p, p): c for p, c in palette.items()},
                ax=ax, showfliers=False, width=0.75)
    ax.set_yticks(range(len(order)), [f"{c} ({_class_name(c)})" for c in order])
    greys = ("#333333", "#777777", "#000000", "#999999")
    styles = ("--", ":", "-", "-.")
    for i, (label, v) in enumerate(benchmarks.items()):
        ax.axvline(v, color=greys[i % 4], linestyle=styles[i % 4], linewidth=1.2, label=label)
    hi = float(np.nanquantile(df[column], 0.99)) if len(df) else 10.0
    ax.set_xlim(0, max(hi, *benchmarks.values(), 1.0) * 1.1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x=x_label, y=None, source=SOURCE_SAVINGS)


def _class_name(klass: str) -> str:
    from sharedservices.inputs.data import CLASS_NAMES

    return CLASS_NAMES.get(klass, klass)


def reach_chart(reach: pd.DataFrame, title: str, *, y_label: str) -> Figure:
    """Share of councils reaching a target, by class (groups) and programme (bars).

    Parameters
    ----------
    reach : DataFrame
        :func:`sharedservices.report.tables.reach_by_class` (index class, columns programmes, %).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> r = pd.DataFrame({"back_office": [0.0, 20.0], "broad": [10.0, 60.0]},
    ...                  index=pd.Index(["UA", "SD"], name="class"))
    >>> fig = reach_chart(r, "Few councils reach 10% of core spending", y_label="% of councils")
    >>> len(fig.axes[0].patches)
    4
    """
    fig, ax = style.new_figure(width=9, height=4.6)
    x = np.arange(len(reach.index))
    width = 0.8 / max(len(reach.columns), 1)
    for i, prog in enumerate(reach.columns):
        vals = reach[prog].to_numpy(dtype=float)
        bars = ax.bar(x + (i - (len(reach.columns) - 1) / 2) * width, vals, width,
                      color=style.PALETTE[i % len(style.PALETTE)], label=PROGRAMME_LABELS.get(prog, prog))
        ax.bar_label(bars, labels=[f"{v:.0f}" for v in vals], fontsize=7, padding=1)
    ax.set_xticks(x, ["All" if c == "All" else c for c in reach.index])
    ax.set_ylim(0, 105)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x="Class of council (SC county, SD district, UA unitary, MD metropolitan, "
                        "L London borough)", y=y_label,
                        source=SOURCE_SAVINGS)


def reach_curves(panels: Mapping[str, pd.DataFrame], target: float, title: str) -> Figure:
    """Share of councils saving at least x, for each programme, one panel per basis.

    Parameters
    ----------
    panels : mapping of str to DataFrame
        Axis label (with its basis) -> one row per council and programme with
        ``programme`` and a percentage column ``pct_of_*``
        (:func:`sharedservices.report.tables.savings_long`).
    target : float
        The target in the same percentage units, drawn as a vertical line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> d = pd.DataFrame({"programme": ["broad"] * 3, "pct_of_tse": [2.0, 5.0, 11.0]})
    >>> fig = reach_curves({"% of TSE": d}, 10.0, "One in three reach 10% of spending")
    >>> fig.axes[0].get_ylabel()
    '% of councils saving at least x'
    """
    fig, axes = style.new_figure(1, len(panels), width=10, height=4.6)
    axes = np.atleast_1d(axes)
    for ax, (x_label, df) in zip(axes, panels.items(), strict=True):
        col = next(c for c in df.columns if c.startswith("pct_of_"))
        for i, prog in enumerate(dict.fromkeys(df["programme"])):
            v = np.sort(df.loc[df["programme"] == prog, col].dropna().to_numpy(dtype=float))
            share = 100.0 * (1.0 - np.arange(v.size) / max(v.size, 1))
            ax.step(v, share, where="post", color=style.PALETTE[i % len(style.PALETTE)],
                    label=PROGRAMME_LABELS.get(prog, prog))
        ax.axvline(target, color="#000000", linewidth=1.2)
        ax.text(target, 100, f" {target:g}%", va="top", fontsize=8)
        ax.set_xlabel(x_label)
        ax.set_ylim(0, 102)
        ax.set_xlim(0, max(target * 1.5, 1.0))
    axes[-1].legend(loc="lower left", fontsize=8)
    style.finish(fig, axes[0], title, x=axes[0].get_xlabel(), y="% of councils saving at least x",
                 source=SOURCE_SAVINGS)
    return fig
