"""Figures for the case-studies report: DataFrame in, matplotlib Figure out, no I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sharedservices.report import style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["calibration_chart", "case_claims_plot"]

SOURCE_CASES = ("Source: claims from council pages and the press (data/assumptions/case_studies.yaml); "
                "model: sharedservices with default assumptions, RS 2010-11 spending.")


def case_claims_plot(comparison: pd.DataFrame, title: str) -> Figure:
    """Reported claim against the model's prediction for each claim (log scale, £m).

    A line joins each claim's two markers; where the model predicts no saving yet only the
    claim is drawn and the label says so.

    Parameters
    ----------
    comparison : DataFrame
        :func:`sharedservices.model.case_studies.compare` output.
    title : str
        The finding.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"case": ["a", "b"], "claim": ["x", "y"], "kind": ["annual", "steady"],
    ...     "years": [1, 0], "reported_gbp_m": [2.0, 1.0], "model_gbp_m": [0.0, 1.5]})
    >>> fig = case_claims_plot(t, "Claims exceed the model")
    >>> fig.axes[0].get_xscale()
    'log'
    """
    from sharedservices.report.tables.case_studies import claim_basis

    data = comparison.iloc[::-1].reset_index(drop=True)
    fig, ax = style.new_figure(width=10, height=0.38 * len(data) + 2.0)
    y = np.arange(len(data))
    model = data["model_gbp_m"].astype("float64").to_numpy()
    reported = data["reported_gbp_m"].astype("float64").to_numpy()
    has_model = model > 0
    for yi, m, r, ok in zip(y, model, reported, has_model, strict=True):
        if ok:
            ax.plot([m, r], [yi, yi], color="#BBBBBB", linewidth=2, zorder=1)
    ax.scatter(model[has_model], y[has_model], color=style.PALETTE[0], zorder=4, s=18,
               label="model, default assumptions (£m, real 2010-11 prices, gross)")
    ax.scatter(reported, y, color=style.PALETTE[5], marker="D", zorder=3,
               label="reported claim (£m, cash)")
    labels = [f"{c}: {str(m).removesuffix('_gbp_m').replace('_', ' ')}, {claim_basis(k, int(n))}"
              + ("" if ok else " (model: none yet)")
              for c, m, k, n, ok in zip(data["case"], data["claim"], data["kind"], data["years"], has_model,
                                        strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xscale("log")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
    return style.finish(fig, ax, title, x="£m, log scale (claims: cash; model: real 2010-11 prices)", y=None,
                        source=SOURCE_CASES)


def calibration_chart(comparison: pd.DataFrame, title: str) -> Figure:
    """Reported against predicted, claim by claim, with the 45-degree line (log scales).

    Out-of-sample claims are filled, in-sample ones (a case that calibrated a parameter it
    is tested with) hollow; a claim the model puts at 0 sits on the left edge, marked as a
    miss.  Timing claims (a partnership's first years) and level claims have their own
    markers.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> t = pd.DataFrame({"reported_gbp_m": [2.0, 1.0, 3.0], "model_gbp_m": [1.0, 0.0, 3.0],
    ...     "in_sample": [False, False, True], "error_kind": ["level", "timing", "level"]})
    >>> fig = calibration_chart(t, "Claims run above the model")
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_yscale()
    ('log', 'log')
    """
    fig, ax = style.new_figure(width=7.5, height=6.5)
    rep = comparison["reported_gbp_m"].astype("float64").to_numpy()
    mod = comparison["model_gbp_m"].astype("float64").to_numpy()
    zero = ~(mod > 0)
    positive = np.r_[rep[rep > 0], mod[mod > 0]]
    lo = float(positive.min()) / 2.0 if positive.size else 0.1
    hi = float(positive.max()) * 2.0 if positive.size else 10.0
    x = np.where(zero, lo, mod)
    markers = {"timing": "o", "level": "s"}
    for kind, marker in markers.items():
        for in_sample in (False, True):
            sel = ((comparison["error_kind"] == kind) & (comparison["in_sample"].astype(bool) == in_sample)).to_numpy()
            if not sel.any():
                continue
            colour = style.PALETTE[0] if kind == "timing" else style.PALETTE[5]
            ax.scatter(x[sel], rep[sel], marker=marker, s=40, zorder=3,
                       facecolors="none" if in_sample else colour, edgecolors=colour,
                       label=f"{kind} claim, {'in sample' if in_sample else 'out of sample'}")
    ax.plot([lo, hi], [lo, hi], color="#555555", linewidth=1, linestyle="--", zorder=1,
            label="claim = model (45-degree line)")
    if zero.any():
        ax.axvline(lo, color="#BBBBBB", linewidth=4, zorder=0, label="model predicts no saving yet (a miss)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo / 1.3, hi)
    ax.set_ylim(lo, hi)
    ax.legend(loc="upper left", fontsize=8)
    return style.finish(fig, ax, title, x="Model, £m (real 2010-11 prices, gross), log scale",
                        y="Reported claim, £m (cash), log scale", source=SOURCE_CASES)
