"""Figures for reports: pure functions, DataFrame in, matplotlib Figure out, no I/O.

Every figure is built with :mod:`sharedservices.report.style`: a title stating the finding (the
caller passes it, written from computed values), units on the axes and a source line.
Inputs are the tables of :mod:`sharedservices.report.tables`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sharedservices.report import style
from sharedservices.report.tables import SERVICE_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


__all__ = ['england_services', 'service_mix', 'style_name', 'distribution_by_class']

def england_services(by_service: pd.DataFrame, title: str, *, top: int = 6) -> Figure:
    """England spending by service over the years, £bn cash (lines), largest services.

    Parameters
    ----------
    by_service : DataFrame
        From :func:`sharedservices.report.tables.england_by_service` (index service, columns years).
    title : str
        The finding.
    top : int
        How many of the largest service lines (by their latest value) to draw.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"2010-11": [45.3, 2.2], "2011-12": [40.2, 2.1]},
    ...                  index=pd.Index(["education", "fire"], name="service"))
    >>> fig = england_services(t, "Education fell")
    >>> fig.axes[0].get_ylabel()
    '£bn, cash'
    """
    lines = by_service.drop(index=["total_service_expenditure", "net_current_expenditure"], errors="ignore")
    latest = lines.ffill(axis=1).iloc[:, -1].sort_values(ascending=False)
    keep = list(latest.index[:top])
    fig, ax = style.new_figure(width=8.5, height=4.8)
    years = list(lines.columns)
    for i, s in enumerate(keep):
        ax.plot(years, lines.loc[s].to_numpy(), marker="o", color=style.PALETTE[i % len(style.PALETTE)],
                label=SERVICE_LABELS.get(s, s))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x="Financial year (2015-16 and 2016-17 not in the data)",
                        y="£bn, cash")


def service_mix(mix: pd.DataFrame, title: str, *, min_share: float = 2.0) -> Figure:
    """Share of each class's total service expenditure by service (stacked bars, %).

    Services below ``min_share`` per cent in every class are grouped as "smaller lines".

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> mix = pd.DataFrame({"education": [75.0], "fire": [25.0]}, index=pd.Index(["UA"], name="class"))
    >>> fig = service_mix(mix, "Education dominates")
    >>> fig.axes[0].get_xlabel()
    '% of total service expenditure'
    """
    big = [c for c in mix.columns if (mix[c].abs() >= min_share).any()]
    data = mix[big].copy()
    rest = mix.drop(columns=big).sum(axis=1)
    if (rest.abs() > 0).any():
        data["smaller lines"] = rest
    fig, ax = style.new_figure(width=9, height=4.8)
    left_pos = pd.Series(0.0, index=data.index)
    left_neg = pd.Series(0.0, index=data.index)
    colours = list(style.PALETTE) + ["#999999", "#BBBBBB", "#666666", "#DDDDDD", "#444444"]
    labels = [f"{c} ({style_name(c)})" for c in data.index]
    for i, col in enumerate(data.columns):
        v = data[col].fillna(0.0)
        base = left_pos.where(v >= 0, left_neg)
        ax.barh(labels, v.to_numpy(), left=base.to_numpy(), color=colours[i % len(colours)],
                label=SERVICE_LABELS.get(col, col), edgecolor="white", linewidth=0.5)
        left_pos = left_pos + v.clip(lower=0)
        left_neg = left_neg + v.clip(upper=0)
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return style.finish(fig, ax, title, x="% of total service expenditure", y=None)


def style_name(klass: str) -> str:
    """Plain name of an authority class.

    Examples
    --------
    >>> style_name("MD")
    'metropolitan districts'
    """
    from sharedservices.inputs.data import CLASS_NAMES

    return CLASS_NAMES.get(klass, klass)


def distribution_by_class(df: pd.DataFrame, column: str, title: str, *, x_label: str,
                          source: str = style.SOURCE_RS_CENSUS,
                          clip_quantile: float | None = 0.99,
                          value_format: str = "{:,.0f}") -> Figure:
    """Distribution of one value across councils, one box-and-points row per class.

    Parameters
    ----------
    df : DataFrame
        One row per council with ``class`` and ``column`` (e.g. from
        :func:`sharedservices.report.tables.per_head` or :func:`~sharedservices.report.tables.usable_reserves`).
    column : str
        The value to show.
    x_label : str
        Axis label with its unit (``"£ per resident, cash"``).
    clip_quantile : float or None
        Cut the axis a little beyond this quantile so one extreme council (the City of
        London per head, say) does not flatten the rest; councils beyond the axis are named
        in a note under the plot with their values (formatted with ``value_format``).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"class": ["UA", "UA", "L"], "v": [1.0, 2.0, 3.0]})
    >>> fig = distribution_by_class(df, "v", "London spends most", x_label="£ per head")
    >>> fig.axes[0].get_xlabel()
    '£ per head'
    """
    import seaborn as sns

    order = [c for c in style.CLASS_ORDER if c in set(df["class"])]
    fig, ax = style.new_figure(width=8, height=0.7 * len(order) + 1.6)
    palette = {c: style.CLASS_COLOURS[c] for c in order}
    sns.boxplot(data=df, x=column, y="class", hue="class", order=order, hue_order=order, palette=palette,
                ax=ax, showfliers=False, width=0.6, boxprops={"alpha": 0.35}, legend=False)
    sns.stripplot(data=df, x=column, y="class", hue="class", order=order, hue_order=order, palette=palette,
                  ax=ax, size=3, alpha=0.7, jitter=0.25, legend=False)
    ax.set_yticks(range(len(order)), [f"{c} ({style_name(c)})" for c in order])
    if clip_quantile is not None and len(df) > 1:
        hi = float(df[column].quantile(clip_quantile))
        lo = float(df[column].min())
        right = hi + 0.15 * (hi - min(lo, 0.0))
        beyond = df[df[column] > right].sort_values(column, ascending=False)
        if len(beyond):
            ax.set_xlim(right=right)
            names = beyond["name"] if "name" in beyond.columns else beyond["class"]
            shown = "; ".join(f"{n} ({value_format.format(v)})" for n, v in zip(names[:4], beyond[column][:4], strict=True))
            more = f" and {len(beyond) - 4} more" if len(beyond) > 4 else ""
            ax.text(1.0, -0.16, f"Beyond the axis: {shown}{more}", transform=ax.transAxes,
                    ha="right", va="top", fontsize=8, color="#555555")
    return style.finish(fig, ax, title, x=x_label, y=None, source=source)
