"""Tables for the case-studies report: pure functions, DataFrame in, DataFrame out.

Inputs are :func:`sharedservices.case_studies.compare` and
:func:`sharedservices.case_studies.case_overview` outputs.  Reported figures are claims,
£m cash; model figures are £m, real 2010-11 prices, gross savings.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["case_claims_table", "case_model_table"]

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
        ``reported_over_model`` (ratio; blank where the model predicts no saving yet),
        ``within_model_spread``, ``claim_rating``, ``source``.

    Examples
    --------
    >>> t = pd.DataFrame({"case_name": ["A"], "claim_unit": ["£m per year"], "kind": ["annual"],
    ...     "years": [2], "reported_gbp_m": [2.0], "model_gbp_m": [1.0], "ratio": [2.0],
    ...     "within_spread": [False], "quality": ["amber"], "source_title": ["Paper"]})
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
