"""Headlines of ``60-case-studies``: the model's default predictions against reported claims.

:func:`analysis` builds the comparison and case tables once per parameter set (cached);
:func:`headlines` reads its numbers from there.  Ratios are reported / model (claims in £m
cash, model in £m real 2010-11 prices, gross).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from sharedservices.inputs import assumptions
from sharedservices.report.findings import register
from sharedservices.report.format import gbp_m, pct, pct_value

#: The case whose realised savings are set against its own promise.
SHORTFALL_CASE = "south_west_one"


def analysis(programme_override: str | None = None) -> dict[str, Any]:
    """The comparison (:func:`sharedservices.model.case_studies.compare`), the case overview and
    the summary, for ``programme_override`` (None: each case's own preset).  Cached:
    treat the frames as read-only."""
    from sharedservices.inputs import paths

    return _analysis(programme_override, str(paths.processed_dir()), str(paths.assumptions_dir()))


@functools.lru_cache(maxsize=8)
def _analysis(programme_override: str | None, processed: str, assumptions_dir: str) -> dict[str, Any]:
    from sharedservices.model import case_studies

    comparison = case_studies.compare(programme=programme_override)
    return {
        "comparison": comparison,
        "cases": case_studies.case_overview(programme=programme_override),
        "summary": case_studies.comparison_summary(comparison),
    }


@register("60-case-studies")
def headlines(programme_override: str | None = None) -> dict[str, float | int | str | None]:
    """Headline numbers of the case-studies report.

    The accuracy figures of :func:`sharedservices.model.case_studies.comparison_summary` (every
    claim counted; in-sample cases apart; a model value of 0 a miss), and for South West
    One the model's five-year figure, the realised claim and the promise (£m).
    """
    from sharedservices.inputs import assumptions

    a = analysis(programme_override)
    s = dict(a["summary"])
    t = a["comparison"]
    sw1 = t[(t["case"] == SHORTFALL_CASE)].set_index("claim")
    realised = sw1.loc["saving_to_dec_2012_gbp_m"]
    promised = float(assumptions.value(f"case_studies.{SHORTFALL_CASE}.promised_saving_gbp_m"))
    return {
        # a median above every model figure (a miss at 0) is +inf: recorded as None
        **{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in s.items()},
        "spread": float(assumptions.value("programmes.spread.savings_rate")),
        "timing_years": case_studies_timing_years(),
        "sw1_in_sample": bool(sw1["in_sample"].any()),
        "sw1_realised_5y_gbp_m": float(realised["reported_gbp_m"]),
        "sw1_model_5y_gbp_m": float(realised["model_gbp_m"]),
        "sw1_promised_10y_gbp_m": promised,
        "sw1_model_10y_gbp_m": float(sw1.loc["promised_saving_gbp_m", "model_gbp_m"]),
        "sw1_realised_share_of_promise_pct": 100.0 * float(realised["reported_gbp_m"]) / promised,
    }


def case_studies_timing_years() -> int:
    """The number of first years whose claims count as timing claims."""
    from sharedservices.model import case_studies

    return int(case_studies.TIMING_YEARS)


def _ratio(x: float | None) -> str:
    return "above every model figure (the model predicts none)" if x is None else f"{x:.1f} times the model's"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def deflator_words(first: str, last: str, range_pct: float) -> str:
    """The price difference a cash claim carries, in one sentence.

    Examples
    --------
    >>> deflator_words("2007-08", "2017-18", 19.53)[:86]
    'Between 2007-08 and 2017-18, the years the claims span, the GDP deflator moves 19.5%: '
    """
    return (f"Between {first} and {last}, the years the claims span, the GDP deflator moves {pct_value(range_pct)}: "
            "a cash claim and the model's real figure can differ by up to that much for prices alone, so a gap "
            "smaller than it is no evidence either way.")


def cited_words(key: str) -> str:
    """An assumption's value, source and rating in a few words (the full citation is in the table).

    Examples
    --------
    >>> cited_words("programmes.service.central.addressable_share")
    "90.0% of the service's net current expenditure (the suite's own assumption, rated red)"
    """
    a = assumptions.get(key)
    unit = a.unit.split(" (")[0]
    unit = unit[len("fraction "):] if unit.startswith("fraction ") else unit
    own = a.source_title is None or a.source_title.strip().lower() == "suite assumption"
    source = "the suite's own assumption" if own else a.source_title.split(":")[0]
    shown = pct(a.value) if a.unit.startswith("fraction") else assumptions.format_value(a.value, a.unit)
    return f"{shown} {unit} ({source}, rated {a.quality})"


def finding_lines(h: dict[str, Any], names: dict[str, str], why: dict[str, str], citation: dict[str, str]) -> list[str]:
    """The key findings of report 60, from its headlines.

    Parameters
    ----------
    names, why : mapping
        Case key -> name, and -> what the model leaves out (``case_overview``).
    citation : mapping
        ``savings_rate`` and ``addressable_share`` -> the citations of the back-office rate.
    """
    in_names = ", ".join(names[c] for c in str(h["in_sample_cases"]).split(",") if c)
    lines = [
        f"Of {h['claims']} reported figures from {h['cases']} shared-service partnerships, {h['in_sample_claims']} "
        f"come from cases whose own figures set a model parameter they would be tested with ({in_names}): they "
        f"are in sample, shown but left out of the accuracy figures. Of the other {h['out_of_sample_claims']}, "
        f"{h['above_model']} claim more than the model predicts for the same councils, scope and year of the "
        f"partnership and {h['below_model']} less; the median claim is {_ratio(h['median_ratio'])} figure "
        "(a claim the model puts at zero counts as a miss, above it).",
        f"Only {h['within_spread']} of {h['out_of_sample_claims']} out-of-sample claims lie within the model's own "
        f"uncertainty (one standard deviation of the savings rate, {pct(h['spread'])} of the rate): "
        f"{h['timing_within_spread']} of {h['timing_claims']} claims about a partnership's first "
        f"{h['timing_years']} years ({h['model_zero_out_of_sample']} where the model predicts no saving yet) and "
        f"{h['level_within_spread']} of {h['level_claims']} about later or ongoing savings."
        + (f" With only {h['timing_claims']} out-of-sample claims about the first years, the comparison cannot say "
           "whether the model's lead times are too long; the in-sample cases' first-year claims, which the model "
           "puts at zero, count from go-live, while the cited lead time counts from the start of spending."
           if h["timing_claims"] < 5 else ""),
        f"South West One reported {gbp_m(h['sw1_realised_5y_gbp_m'])} saved in its first five years (claim, "
        f"£m cash), {pct_value(h['sw1_realised_share_of_promise_pct'])} of the {gbp_m(h['sw1_promised_10y_gbp_m'])} "
        f"promised over ten; the model's back-office programme for the same councils predicts "
        f"{gbp_m(h['sw1_model_5y_gbp_m'])} over five years and {gbp_m(h['sw1_model_10y_gbp_m'])} over ten (£m, "
        "real 2010-11 prices): nearer what was realised than what was promised.",
    ]
    if h["outturn_claims"]:
        above_all = h["largest_shortfall_ratio"] is not None and h["largest_shortfall_ratio"] > 1.0
        lines.append(
            f"Reported outcomes and plans differ little in how far they sit above the model: the median of the "
            f"{h['outturn_claims']} out-of-sample outcomes is {_ratio(h['outturn_median_ratio'])} figure and of the "
            f"{h['plan_claims']} plans, targets and promises {_ratio(h['plan_median_ratio'])}"
            + ("; every reported outcome is above the model, so the model errs low." if above_all else "."))
    if h["largest_overclaim_case"]:
        smallest = ("" if not h["largest_shortfall_case"] or h["largest_shortfall_case"] == h["largest_overclaim_case"]
                    else f"; the smallest is {names[h['largest_shortfall_case']]} "
                         f"({h['largest_shortfall_ratio']:.2f} times)")
        lines.append(f"The largest reported outcome relative to the model is {names[h['largest_overclaim_case']]} "
                     f"({h['largest_overclaim_ratio']:.1f} times the model's figure){smallest}. The table of the "
                     "partnerships below says what the model leaves out of each.")
    lines.append("Each case is predicted with the reference-class optimism adjustment recomputed without that case's "
                 "own plan-and-outcome figures, so no case sets the adjustment it is tested with.")
    lines.append(f"The model's back-office savings rate is itself a claim from one of these cases: "
                 f"{citation['savings_rate']}. The share of central services it applies to is "
                 f"{citation['addressable_share']}. Both are in the assumptions table below.")
    return lines
