"""House figure style: seaborn on matplotlib, a colour-blind-safe palette, a title that
states the finding, units on the axes and a source line under every figure.

Use :func:`use` once (figure functions call it), :func:`new_figure` for a figure and axes,
and :func:`finish` to set the title, axis labels and source line.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig, ax = new_figure()
>>> _ = ax.plot([2010, 2014], [1.0, 0.8])
>>> _ = finish(fig, ax, "Spending fell by a fifth", x="Financial year", y="£bn, cash",
...        source="DCLG RS")
>>> fig.texts[-1].get_text()
'Source: DCLG RS'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sharedservices.report import prose

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Okabe-Ito palette (colour-blind safe), in the order series take them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
)
#: One colour per authority class, used in every figure.
CLASS_COLOURS: dict[str, str] = {
    "SC": PALETTE[0], "SD": PALETTE[1], "UA": PALETTE[2], "MD": PALETTE[3], "L": PALETTE[5],
    "O": "#999999",
}
#: Order classes appear in, upper tier first.
CLASS_ORDER: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L", "O")

SOURCE_RS = (
    "Source: DCLG/MHCLG Revenue Outturn Summary (RS) workbooks; sharedservices analysis."
)
SOURCE_RS_CENSUS = (
    "Source: DCLG/MHCLG Revenue Outturn Summary (RS); ONS Census 2011; sharedservices analysis."
)

#: Characters per title line before it wraps.
TITLE_WIDTH = 90

_RC = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
}


def use() -> None:
    """Apply the house style (seaborn ``whitegrid`` theme, house palette, rc settings)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette=list(PALETTE), rc=_RC)


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 8.0,
               height: float = 4.5) -> tuple[Figure, Axes]:
    """A figure and axes in the house style (size in inches).

    Uses :class:`matplotlib.figure.Figure` directly (not pyplot), so nothing is left open.
    """
    from matplotlib.figure import Figure

    use()
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def finish(fig: Figure, ax: Axes, title: str, *, x: str | None, y: str | None,
           source: str = SOURCE_RS) -> Figure:
    """Set the finding as title, axis labels with units, and the source line.

    Parameters
    ----------
    title : str
        A sentence that states the finding, not the topic, with one percentage basis named
        with every percentage (:func:`sharedservices.report.prose.basis_problems`).
    x, y : str or None
        Axis labels including units (``"£bn, cash"``); ``None`` leaves an axis unlabelled
        (for a categorical axis whose tick labels say it all).
    source : str
        Source line printed under the figure; ``Source:`` is added if missing.
    """
    if not title or not title.strip():
        raise ValueError("figure title: empty (allowed: a sentence stating the finding)")
    problems = prose.basis_problems(title)
    if problems:
        raise ValueError(f"figure title: {problems[0]} (allowed: one percentage basis per sentence, named with "
                         "every percentage)")
    import textwrap

    fig.suptitle(textwrap.fill(title, width=TITLE_WIDTH), x=0.01, ha="left", fontsize=12,
                 fontweight="bold")
    ax.set_xlabel(x or "")
    ax.set_ylabel(y or "")
    text = source if source.lower().startswith("source") else f"Source: {source}"
    fig.text(0.01, -0.02, text, ha="left", va="top", fontsize=8, color="#555555")
    return fig
