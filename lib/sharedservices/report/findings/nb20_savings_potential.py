"""Headline numbers of ``20-savings-potential``: what sharing could save, council by council.

Model outputs (steady-state savings from each council's own service mix and the cited
rates in ``data/assumptions/programmes.yaml``), set against the benchmarks in
``savings_evidence.yaml``.  Shares are gross of running costs, the basis on which the
back office is calibrated to NLGN's 1.8 %; percentages name their basis.
"""

from __future__ import annotations

from sharedservices.inputs import assumptions
from sharedservices.model import national
from sharedservices.report.findings import register
from sharedservices.report.tables import savings as t

#: The benchmarks the report tests, by headline name (keys in savings_evidence.yaml).
BENCHMARKS: dict[str, str] = {
    "nlgn_realistic": "savings_evidence.back_office_realistic",
    "nlgn_best_case": "savings_evidence.back_office_best_case",
    "close_to_10": "savings_evidence.ambitious_target",
}


@register("20-savings-potential")
def headlines(year: str = "2010-11", savings_multiplier: float = 1.0) -> dict[str, float | int | str | None]:
    """Headlines of the savings-potential report.

    For every preset P: ``P_median_pct_of_tse``, ``P_median_pct_of_core_spending`` (median
    council, gross steady-state saving), ``P_reach_10_tse_pct`` and ``P_reach_10_core_pct``
    (% of councils reaching the "close to 10 %" target on each basis), ``P_england_gbp_m``
    (sum over councils, £m a year, 2010-11 prices), ``P_england_pct_of_tse`` (that sum as a
    share of England's total service expenditure: the spend-weighted figure, comparable with
    NLGN's, which were stated for spending as a whole).  Also ``councils``,
    ``back_office_above_nlgn_realistic_pct`` (% of councils whose back-office saving is at
    least NLGN's 1.8 % of TSE), ``broad_rates_multiple_for_median_to_reach_10_tse`` and ``_core``
    (how many times the cited savings rates the median council's broad programme would need
    to reach the target; gross savings are proportional to the rates) and the benchmarks
    themselves as percentages.
    """
    councils, pot = national.savings_potential_all(year, savings_multiplier)
    target = float(assumptions.value(BENCHMARKS["close_to_10"]))
    med_tse = t.savings_by_class(pot, councils, "tse")
    med_core = t.savings_by_class(pot, councils, "core_spending")
    reach_tse = t.reach_by_class(pot, councils, target, "tse")
    reach_core = t.reach_by_class(pot, councils, target, "core_spending")
    totals = t.savings_totals(pot, councils)
    england_share = t.england_share_of_tse(pot)
    realistic = float(assumptions.value(BENCHMARKS["nlgn_realistic"]))
    out: dict[str, float | int | str | None] = {"councils": int(pot["ecode"].nunique())}
    for prog in dict.fromkeys(pot["programme"]):
        out[f"{prog}_median_pct_of_tse"] = float(med_tse.loc[(prog, "All"), "median_pct_of_tse"])
        out[f"{prog}_median_pct_of_core_spending"] = float(
            med_core.loc[(prog, "All"), "median_pct_of_core_spending"])
        out[f"{prog}_reach_10_tse_pct"] = float(reach_tse.loc["All", prog])
        out[f"{prog}_reach_10_core_pct"] = float(reach_core.loc["All", prog])
        out[f"{prog}_england_gbp_m"] = float(totals.loc["All", prog])
        out[f"{prog}_england_pct_of_tse"] = float(england_share[prog])
    for basis, label in (("tse", "tse"), ("core_spending", "core")):
        median = out[f"broad_median_pct_of_{basis}"]
        # gross savings are proportional to the rates, so the median council reaches the target
        # at savings_multiplier * target / its current share
        out[f"broad_rates_multiple_for_median_to_reach_10_{label}"] = (
            None if not median else float(savings_multiplier) * 100.0 * target / float(median))
    back = pot[pot["programme"] == "back_office"]["gross_share_of_tse"].dropna()
    out["back_office_above_nlgn_realistic_pct"] = float(100.0 * (back >= realistic - 1e-12).mean())
    for name, key in BENCHMARKS.items():
        out[f"{name}_pct"] = 100.0 * float(assumptions.value(key))
    return out
