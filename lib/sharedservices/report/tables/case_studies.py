"""Tables for the case-studies report: pure functions, DataFrame in, DataFrame out.

Inputs are :func:`sharedservices.model.case_studies.compare` and
:func:`sharedservices.model.case_studies.case_overview` outputs.  Reported figures are claims,
£m cash; model figures are £m, real 2010-11 prices, gross savings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["accuracy_by_kind", "case_claims_table", "case_model_table"]

_KIND_WORDS = {"annual": "saving in year {n}", "cumulative": "total over years 1-{n}",
               "steady": "ongoing annual saving"}


def claim_basis(kind: str, years: int) -> str:
    """Words for what a claim measures.

    Examples
    --------
    >>> claim_basis("cumulative", 5)
    'total over years 1-5'
    """
    if kind == "cumulative" and years == 1:
        return "total over year 1"
    return _KIND_WORDS[kind].format(n=years)


def case_claims_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Each claim beside the model, readable.

    Returns
    -------
    DataFrame
        ``case, claim`` (the claim's own description), ``basis`` (what is compared),
        ``reported_claim_gbp_m`` (£m cash), ``model_gbp_m`` (£m, real 2010-11 prices),
        ``reported_over_model`` (ratio; inf where the model predicts no saving yet, a miss),
        ``within_model_spread``, ``kind_of_claim`` (timing or level), ``in_sample``,
        ``claim_rating``, ``source``.

    Examples
    --------
    >>> t = pd.DataFrame({"case_name": ["A"], "claim_unit": ["£m per year"], "kind": ["annual"],
    ...     "years": [2], "reported_gbp_m": [2.0], "model_gbp_m": [1.0], "ratio": [2.0],
    ...     "within_spread": [False], "error_kind": ["timing"], "in_sample": [False],
    ...     "quality": ["amber"], "source_title": ["Paper"]})
    >>> case_claims_table(t)[["basis", "reported_over_model"]].values.tolist()
    [['saving in year 2', 2.0]]
    """
    return pd.DataFrame({
        "case": comparison["case_name"].to_numpy(),
        "claim": comparison["claim_unit"].to_numpy(),
        "basis": [claim_basis(k, n) for k, n in zip(comparison["kind"], comparison["years"], strict=True)],
        "reported_claim_gbp_m": comparison["reported_gbp_m"].to_numpy(),
        "model_gbp_m": comparison["model_gbp_m"].to_numpy(),
        "reported_over_model": comparison["ratio"].to_numpy(),
        "within_model_spread": comparison["within_spread"].to_numpy(),
        "kind_of_claim": comparison["error_kind"].to_numpy(),
        "in_sample": comparison["in_sample"].to_numpy(),
        "claim_rating": comparison["quality"].to_numpy(),
        "source": comparison["source_title"].to_numpy(),
    })


def case_model_table(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per case: partners, preset, the model's steady state, and why it may miss.

    Examples
    --------
    >>> c = pd.DataFrame({"case_name": ["A"], "councils": ["E1,E2"], "programme": ["back_office"],
    ...     "started": ["2010-11"], "steady_state_gross_gbp_m": [1.5], "one_off_cost_gbp_m": [2.0],
    ...     "steady_state_gross_share_of_tse_pct": [1.8], "why": ["scope"], "note": [""]})
    >>> case_model_table(c).columns.tolist()[:3]
    ['case', 'councils', 'programme']
    """
    return pd.DataFrame({
        "case": cases["case_name"].to_numpy(),
        "councils": cases["councils"].to_numpy(),
        "programme": cases["programme"].to_numpy(),
        "started": cases["started"].to_numpy(),
        "model_steady_state_gbp_m": cases["steady_state_gross_gbp_m"].to_numpy(),
        "model_share_of_tse_pct": cases["steady_state_gross_share_of_tse_pct"].to_numpy(),
        "model_one_off_cost_gbp_m": cases["one_off_cost_gbp_m"].to_numpy(),
        "what_the_model_leaves_out": cases["why"].to_numpy(),
        "note": cases["note"].to_numpy(),
    })


def accuracy_by_kind(comparison: pd.DataFrame) -> pd.DataFrame:
    """How often the model is right, by kind of claim (timing: a partnership's first years;
    level: later or ongoing savings), out of sample and in sample.

    Returns
    -------
    DataFrame
        Index ``kind_of_claim`` (``timing``, ``level``, ``all``); ``claims``,
        ``within_model_spread``, ``model_predicts_none`` (misses at 0), ``median_claim_over_model``
        (misses counted as above every figure: inf), out of sample; ``in_sample_claims``.

    Examples
    --------
    >>> t = pd.DataFrame({"error_kind": ["timing", "level", "level"], "in_sample": [False, False, True],
    ...     "within_spread": [False, True, True], "model_zero": [True, False, False],
    ...     "ratio": [float("inf"), 1.2, 1.0]})
    >>> accuracy_by_kind(t).loc["all", ["claims", "within_model_spread", "in_sample_claims"]].tolist()
    [2, 1, 1]
    """
    rows = {}
    for kind in ("timing", "level", "all"):
        sub = comparison if kind == "all" else comparison[comparison["error_kind"] == kind]
        oos = sub[~sub["in_sample"].astype(bool)]
        r = oos["ratio"].astype("float64").to_numpy()
        rows[kind] = {
            "claims": len(oos),
            "within_model_spread": int(oos["within_spread"].astype(bool).sum()),
            "model_predicts_none": int(oos["model_zero"].astype(bool).sum()),
            "median_claim_over_model": float(np.median(r)) if r.size else float("nan"),
            "in_sample_claims": int(sub["in_sample"].astype(bool).sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "kind_of_claim"
    return out
