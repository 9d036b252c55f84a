"""Headlines of ``60-case-studies``: the model's default predictions against reported claims.

:func:`analysis` builds the comparison and case tables once per parameter set (cached);
:func:`headlines` reads its numbers from there.  Ratios are reported / model (claims in £m
cash, model in £m real 2010-11 prices, gross).
"""

from __future__ import annotations

import functools
from typing import Any

from sharedservices.findings import register

#: The case whose realised savings are set against its own promise.
SHORTFALL_CASE = "south_west_one"


def analysis(programme_override: str | None = None) -> dict[str, Any]:
    """The comparison (:func:`sharedservices.case_studies.compare`), the case overview and
    the summary, for ``programme_override`` (None: each case's own preset).  Cached:
    treat the frames as read-only."""
    from sharedservices import paths

    return _analysis(programme_override, str(paths.processed_dir()), str(paths.assumptions_dir()))


@functools.lru_cache(maxsize=8)
def _analysis(programme_override: str | None, processed: str, assumptions_dir: str) -> dict[str, Any]:
    from sharedservices import case_studies

    comparison = case_studies.compare(programme=programme_override)
    return {
        "comparison": comparison,
        "cases": case_studies.case_overview(programme=programme_override),
        "summary": case_studies.comparison_summary(comparison),
    }


@register("60-case-studies")
def headlines(programme_override: str | None = None) -> dict[str, float | int | str | None]:
    """Headline numbers of the case-studies report.

    ``claims``, ``cases``, ``within_spread``, ``above_model``, ``below_model``,
    ``model_zero`` (claims for which the model predicts no saving yet), ``median_ratio``,
    the largest over-claim and shortfall with their ratios, and for South West One the
    model's five-year figure, the realised claim and the promise (£m).
    """
    from sharedservices import assumptions

    a = analysis(programme_override)
    s = dict(a["summary"])
    t = a["comparison"]
    sw1 = t[(t["case"] == SHORTFALL_CASE)].set_index("claim")
    realised = sw1.loc["saving_to_dec_2012_gbp_m"]
    promised = float(assumptions.value(f"case_studies.{SHORTFALL_CASE}.promised_saving_gbp_m"))
    return {
        **{k: v for k, v in s.items()},
        "model_zero": int((t["model_gbp_m"] <= 0).sum()),
        "sw1_realised_5y_gbp_m": float(realised["reported_gbp_m"]),
        "sw1_model_5y_gbp_m": float(realised["model_gbp_m"]),
        "sw1_promised_10y_gbp_m": promised,
        "sw1_model_10y_gbp_m": float(sw1.loc["promised_saving_gbp_m", "model_gbp_m"]),
        "sw1_realised_share_of_promise_pct": 100.0 * float(realised["reported_gbp_m"]) / promised,
    }
