"""Tables of the uncertainty report (40): fan-chart percentiles, sensitivities, optimism bias.

Pure functions, no I/O.  Money is £m in 2010-11 prices (``_gbp_m``); probabilities are
percentages of simulated draws (``_pct``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sharedservices.model import cuts

__all__ = [
    "sensitivity_cases_table",
    "SENSITIVITY_ASSUMPTIONS",
    "correlation_comparison",
    "fan_gbp_m",
    "optimism_bias_comparison",
    "payback_distribution",
    "sensitivity_table",
]

#: The cited assumption behind each one-way sensitivity (its central value or its spread).
SENSITIVITY_ASSUMPTIONS = {
    "savings_multiplier": "programmes.spread.savings_rate",
    "one_off_cost_multiplier": "programmes.spread.one_off_cost",
    "lead_multiplier": "programmes.spread.delay_years",
    "ramp_multiplier": "programmes.spread.ramp_years",
    "failure_year": "programmes.partnership.annual_failure_probability",
}


def fan_gbp_m(fan: pd.DataFrame) -> pd.DataFrame:
    """A fan-chart table (``MonteCarloResult.fan_chart``) with money in £m.

    Examples
    --------
    >>> f = pd.DataFrame({"financial_year": ["2010-11"], "mean": [1500.0], "p50": [1000.0]})
    >>> fan_gbp_m(f).columns.tolist(), float(fan_gbp_m(f)["p50_gbp_m"].iloc[0])
    (['financial_year', 'mean_gbp_m', 'p50_gbp_m'], 1.0)
    """
    out = fan[["financial_year"]].copy()
    for c in fan.columns:
        if c != "financial_year":
            out[f"{c}_gbp_m"] = fan[c].to_numpy(dtype=float) / 1000.0
    return out


def sensitivity_table(sens: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One-way sensitivities of the NPV in £m, largest swing first, with the assumption behind each.

    Parameters
    ----------
    sens : pandas.DataFrame
        From :func:`sharedservices.model.uncertainty.one_way_sensitivities` (metric in £ thousand).
    labels : mapping, optional
        Plain words for the parameters.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``label``, ``low``, ``high`` (parameter values), ``npv_low_gbp_m``,
        ``npv_high_gbp_m``, ``central_npv_gbp_m``, ``swing_gbp_m``, ``assumption``.

    Examples
    --------
    >>> s = pd.DataFrame({"parameter": ["lead_multiplier"], "low": [0.5], "high": [1.6], "metric_low": [5000.0],
    ...                   "metric_high": [3000.0], "central": [5000.0], "swing": [2000.0]})
    >>> sensitivity_table(s)[["swing_gbp_m", "assumption"]].values.tolist()
    [[2.0, 'programmes.spread.delay_years']]
    """
    labels = labels or {}
    out = pd.DataFrame({
        "parameter": sens["parameter"].astype(str).to_numpy(),
        "label": [labels.get(p, p) for p in sens["parameter"]],
        "low": sens["low"].to_numpy(dtype=float),
        "high": sens["high"].to_numpy(dtype=float),
        "npv_low_gbp_m": sens["metric_low"].to_numpy(dtype=float) / 1000.0,
        "npv_high_gbp_m": sens["metric_high"].to_numpy(dtype=float) / 1000.0,
        "central_npv_gbp_m": sens["central"].to_numpy(dtype=float) / 1000.0,
        "swing_gbp_m": sens["swing"].to_numpy(dtype=float) / 1000.0,
        "assumption": [SENSITIVITY_ASSUMPTIONS.get(p, "") for p in sens["parameter"]],
    })
    return out.sort_values("swing_gbp_m", ascending=False, ignore_index=True)


def _case_text(parameter: str, value: float) -> str:
    if parameter == "failure_year":
        return "never (within the horizon)" if value < 0 else f"fails in {cuts.fy_label(int(value))}"
    return f"{value:.2f} × cited"


def sensitivity_cases_table(sens: pd.DataFrame) -> pd.DataFrame:
    """The one-way sensitivities as a reader reads them: each input's low and high case in words.

    Parameters
    ----------
    sens : pandas.DataFrame
        From :func:`sensitivity_table`.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``low_case``, ``high_case`` (a multiple of the cited value, or the year the
        partnership fails, "never" if not within the horizon), ``npv_low_gbp_m``,
        ``npv_high_gbp_m``, ``central_npv_gbp_m``, ``swing_gbp_m``, ``assumption``.

    Examples
    --------
    >>> s = pd.DataFrame({"parameter": ["failure_year", "lead_multiplier"], "label": ["year it fails", "lead time"],
    ...                   "low": [4.0, 0.5], "high": [-1.0, 1.6], "npv_low_gbp_m": [1.0, 2.0],
    ...                   "npv_high_gbp_m": [3.0, 1.0], "central_npv_gbp_m": [2.0, 2.0], "swing_gbp_m": [2.0, 1.0],
    ...                   "assumption": ["a", "b"]})
    >>> sensitivity_cases_table(s)[["low_case", "high_case"]].values.tolist()
    [['fails in 2014-15', 'never (within the horizon)'], ['0.50 × cited', '1.60 × cited']]
    """
    return pd.DataFrame({
        "input": sens["label"].to_numpy(),
        "low_case": [_case_text(p, v) for p, v in zip(sens["parameter"], sens["low"], strict=True)],
        "high_case": [_case_text(p, v) for p, v in zip(sens["parameter"], sens["high"], strict=True)],
        **{c: sens[c].to_numpy() for c in ("npv_low_gbp_m", "npv_high_gbp_m", "central_npv_gbp_m", "swing_gbp_m",
                                            "assumption")},
    })


_OB_ROWS = (
    ("p_payback_within_sr_period", "P(payback within the Spending Review period), % of draws", 100.0),
    ("p_never_pays_back", "P(never pays back within the horizon), % of draws", 100.0),
    ("p_cover_year1_gap", "P(net savings cover the 2011-12 gap), % of draws", 100.0),
    ("p_cover_half_year1_gap", "P(net savings cover half the 2011-12 gap), % of draws", 100.0),
    ("p_npv_negative", "P(NPV < 0), % of draws", 100.0),
    ("npv_p5_gbp_m", "NPV, 5th percentile (£m, 2010-11 prices)", 1.0),
    ("npv_p50_gbp_m", "NPV, median (£m, 2010-11 prices)", 1.0),
    ("npv_p95_gbp_m", "NPV, 95th percentile (£m, 2010-11 prices)", 1.0),
    ("npv_mean_gbp_m", "NPV, mean (£m, 2010-11 prices)", 1.0),
)


#: Columns of :func:`optimism_bias_comparison`: headline suffix -> column name.
_OB_CASES = {
    "reference_class": "reference_class",
    "reference_class_all_pairs": "reference_class_all_pairs",
    "green_book_lower": "green_book_lower_bound",
    "green_book_upper": "green_book_upper_bound",
    "without_ob": "no_adjustment",
}


def optimism_bias_comparison(h: Mapping[str, Any]) -> pd.DataFrame:
    """Monte Carlo results under each optimism-bias adjustment, side by side.

    Parameters
    ----------
    h : mapping
        Headlines of :func:`sharedservices.report.findings.nb40_uncertainty.summarise`.

    Returns
    -------
    pandas.DataFrame
        Index ``measure`` (with its unit); columns ``reference_class``,
        ``reference_class_all_pairs``, ``green_book_lower_bound``, ``green_book_upper_bound`` and ``no_adjustment`` (NaN
        where a probability does not exist: no gap).

    Examples
    --------
    >>> h = {f"{k}_{c}": 0.5 for k, _, _ in _OB_ROWS for c in _OB_CASES}
    >>> optimism_bias_comparison(h).iloc[0].tolist()
    [50.0, 50.0, 50.0, 50.0, 50.0]
    """
    def val(key: str, scale: float) -> float:
        v = h[key]
        return np.nan if v is None else float(v) * scale

    return pd.DataFrame(
        {col: [val(f"{k}_{case}", s) for k, _, s in _OB_ROWS] for case, col in _OB_CASES.items()},
        index=pd.Index([label for _, label, _ in _OB_ROWS], name="measure"),
    )


def correlation_comparison(h: Mapping[str, Any]) -> pd.DataFrame:
    """Monte Carlo results at the cited correlation of delay and cost overrun, at none and
    at a high one.

    Examples
    --------
    >>> h = {f"{k}{c}": 0.5 for k, _, _ in _OB_ROWS for c in ("", "_rho_0", "_rho_high")}
    >>> h.update(delay_cost_correlation=0.5, delay_cost_correlation_rho_0=0.0, delay_cost_correlation_rho_high=0.9)
    >>> list(correlation_comparison(h).columns)
    ['correlation 0.0', 'correlation 0.5 (cited)', 'correlation 0.9']
    """
    def val(key: str, scale: float) -> float:
        v = h[key]
        return np.nan if v is None else float(v) * scale

    cols = {
        f"correlation {h['delay_cost_correlation_rho_0']:.1f}": "_rho_0",
        f"correlation {h['delay_cost_correlation']:.1f} (cited)": "",
        f"correlation {h['delay_cost_correlation_rho_high']:.1f}": "_rho_high",
    }
    return pd.DataFrame(
        {col: [val(f"{k}{suf}", s) for k, _, s in _OB_ROWS] for col, suf in cols.items()},
        index=pd.Index([label for _, label, _ in _OB_ROWS], name="measure"),
    )


def payback_distribution(payback_years: Mapping[str, Sequence[int] | np.ndarray], horizon: int) -> pd.DataFrame:
    """Share of draws paying back in each year (``-1`` = never), one column per case.

    Parameters
    ----------
    payback_years : mapping of str to array of int
        Case label -> ``MonteCarloResult.draws["payback_year"]``.
    horizon : int
        Last model year.

    Returns
    -------
    pandas.DataFrame
        Index ``payback`` (financial years 2010-11 .. horizon, then "never"); one column
        per case, % of draws.

    Examples
    --------
    >>> payback_distribution({"a": [1, 1, -1, 2]}, 2)["a"].tolist()
    [0.0, 50.0, 25.0, 25.0]
    """
    labels = [cuts.fy_label(t) for t in range(horizon + 1)] + ["never"]
    out = pd.DataFrame(index=pd.Index(labels, name="payback"))
    for case, years in payback_years.items():
        y = np.asarray(years, dtype=int)
        counts = np.bincount(np.where(y < 0, horizon + 1, y), minlength=horizon + 2)[: horizon + 2]
        out[case] = 100.0 * counts / max(y.size, 1)
    return out
