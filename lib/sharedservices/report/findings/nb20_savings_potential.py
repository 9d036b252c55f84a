"""Headline numbers of ``20-savings-potential``: what sharing could save, council by council.

Model outputs (steady-state savings from each council's own service mix and the cited
rates in ``data/assumptions/programmes.yaml``), set against the benchmarks in
``savings_evidence.yaml``.  Shares are gross of running costs, the basis on which the
back office is calibrated to NLGN's 1.8 %; percentages name their basis.

:func:`finding_lines` and the ``*_title`` functions write the key findings and the figure
titles from the headlines (and the tables and cited values they quote, passed in), every
number through :mod:`sharedservices.report.format`, one percentage basis to a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sharedservices.inputs import assumptions
from sharedservices.model import national
from sharedservices.report.findings import Headlines, register
from sharedservices.report.format import count, gbp_m, number, pct, pct_value
from sharedservices.report.names import CORE_SPENDING
from sharedservices.report.tables import savings as t

__all__ = ["BENCHMARKS", "CITED_SHARES", "benchmark_lines", "cited_shares", "distribution_title", "finding_lines",
           "headlines", "rates_words", "reach_chart_title", "reach_curves_title"]

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


#: The cited shares the key findings quote (keys in programmes.yaml), by name.
CITED_SHARES: dict[str, str] = {
    "back_office_overhead_share": "programmes.back_office_overhead_share",
    "central_addressable_share": "programmes.service.central.addressable_share",
    "adult_social_care_addressable_share": "programmes.service.adult_social_care.addressable_share",
}


def cited_shares() -> dict[str, float]:
    """The cited shares the key findings quote (fractions), read from the assumptions (so
    a report that calls it records them)."""
    return {name: float(assumptions.value(key)) for name, key in CITED_SHARES.items()}


def rates_words(savings_multiplier: float) -> str:
    """The savings rates a run used, in words.

    Examples
    --------
    >>> rates_words(1.0), rates_words(1.5), rates_words(2), rates_words(0.125)
    ('as cited', '1.5 times the cited rates', '2 times the cited rates', '0.125 times the cited rates')
    """
    m = float(savings_multiplier)
    if m == 1:
        return "as cited"
    decimals = next((d for d in range(4) if round(m, d) == m), 3)
    return f"{number(m, decimals)} times the cited rates"


def _councils(share_pct: float, n_councils: int, of: str = " of principal councils") -> str:
    """A share of councils (%) as the count it is, then the share with its basis: "none",
    "3 (0.8% of principal councils)".

    >>> _councils(0.0, 353), _councils(0.84985835694051, 353), _councils(100 / 25, 25, " of shire counties")
    ('none', '3 (0.8% of principal councils)', '1 (4.0% of shire counties)')
    """
    k = int(round(float(share_pct) * n_councils / 100.0))
    return "none" if k == 0 else f"{count(k)} ({pct_value(share_pct)}{of})"


def _median(by_class: pd.DataFrame, programme: str, klass: str) -> str:
    return pct_value(by_class.loc[(programme, klass), "median_pct_of_tse"])


def finding_lines(h: Headlines, by_class: pd.DataFrame, reach_core: pd.DataFrame, cited: Mapping[str, float],
                  year: str = "2010-11", savings_multiplier: float = 1.0) -> list[str]:
    """The key findings of the savings-potential report, from its headlines.

    Parameters
    ----------
    h : dict
        :func:`headlines` for the same ``year`` and ``savings_multiplier``.
    by_class : DataFrame
        :func:`sharedservices.report.tables.savings_by_class` on total service expenditure
        (index programme, class; ``median_pct_of_tse``).
    reach_core : DataFrame
        :func:`sharedservices.report.tables.reach_by_class` on core spending (% of councils,
        classes by programmes).
    cited : mapping
        :func:`cited_shares`.
    year, savings_multiplier
        The report's parameters.

    Examples
    --------
    >>> h = headlines()
    >>> councils, pot = national.savings_potential_all("2010-11", 1.0)
    >>> target = float(assumptions.value(BENCHMARKS["close_to_10"]))
    >>> lines = finding_lines(h, t.savings_by_class(pot, councils, "tse"),
    ...                       t.reach_by_class(pot, councils, target, "core_spending"), cited_shares())
    >>> print(lines[1][:63])
    NLGN's claim is of savings "close to 10% of total budgets". The
    """
    tse, core = "of total service expenditure", "of core spending"
    n = int(h["councils"])
    claim = pct_value(h["close_to_10_pct"], 0)  # NLGN's words: "close to 10%"
    nlgn = (f"NLGN put the back office's saving at {pct_value(h['nlgn_realistic_pct'])} {tse} (realistic) and "
            f"{pct_value(h['nlgn_best_case_pct'])} {tse} (best case).")
    median = (f"Sharing the back office alone would save the median principal council "
              f"{pct_value(h['back_office_median_pct_of_tse'])} {tse} a year once running (gross, {year} service "
              f"mix, savings rates {rates_words(savings_multiplier)}). The median shire district would save "
              f"{_median(by_class, 'back_office', 'SD')} {tse}, its central services being a large part of a small "
              f"budget; the median shire county {_median(by_class, 'back_office', 'SC')} {tse} and the median unitary "
              f"{_median(by_class, 'back_office', 'UA')} {tse}. {nlgn}")
    claim_basis = assumptions.get(BENCHMARKS["close_to_10"]).unit.removeprefix("fraction ")  # "of total budgets"
    reach = (f"NLGN's claim is of savings \"close to {claim} {claim_basis}\". The suite reads that "
             f"as {claim} {tse}. Of England's {count(n)} principal councils, "
             f"{_councils(h['back_office_reach_10_tse_pct'], n)} would reach it with the back office alone, "
             f"{_councils(h['back_office_waste_reach_10_tse_pct'], n)} adding waste and regulatory services, "
             f"{_councils(h['broad_reach_10_tse_pct'], n)} adding adult and children's social care and "
             f"{_councils(h['public_realm_reach_10_tse_pct'], n)} with the wider public realm.")
    on_core, on_tse = pct_value(h["broad_reach_10_core_pct"]), pct_value(h["broad_reach_10_tse_pct"])
    more = ("about as many" if on_core == on_tse else
            "more" if h["broad_reach_10_core_pct"] > h["broad_reach_10_tse_pct"] else "fewer")
    core_basis = (f"On the narrower basis of core spending ({CORE_SPENDING}), the median council's broad programme saves {pct_value(h['broad_median_pct_of_core_spending'])}"
                  f" {core}. Measured against \"close to {claim}\" {core}, {more} councils get there. Of the "
                  f"{count(n)} principal councils, {_councils(h['broad_reach_10_core_pct'], n)} get there with the "
                  f"broad programme and {_councils(h['public_realm_reach_10_core_pct'], n)} with the wider public "
                  "realm.")
    if ("public_realm", "SC") in by_class.index and "SC" in reach_core.index:
        k = int(by_class.loc[("public_realm", "SC"), "councils"])
        sc = _councils(reach_core.loc["SC", "public_realm"], k, " of shire counties")
        if sc == "none":
            core_basis += " No shire county gets there, even with the wider public realm."
        elif sc.startswith(f"{count(k)} ("):
            core_basis += f" All {count(k)} shire counties get there with the wider public realm."
        else:
            core_basis += f" Of the {count(k)} shire counties, {sc} get there with the wider public realm."
    for key, basis, who in (("tse", tse, "For the median council's broad programme"), ("core", core, "")):
        x = h[f"broad_rates_multiple_for_median_to_reach_10_{key}"]
        lead = f"{who} to reach {claim} {basis}" if who else f"To reach {claim} {basis}"
        core_basis += (f" {lead}, it would need savings where it has none." if x is None else
                       f" {lead}, the cited savings rates would have to be {number(x, 1)} times as high.")
    england = (f"Summed over England, the back office would save {gbp_m(h['back_office_england_gbp_m'])} a year "
               f"and the broad programme {gbp_m(h['broad_england_gbp_m'])} (gross, £m a year, 2010-11 prices): "
               f"{pct_value(h['back_office_england_pct_of_tse'])} of England's total service expenditure and "
               f"{pct_value(h['broad_england_pct_of_tse'])} of England's total service expenditure. Weighted by "
               f"spending, as NLGN's figures were, that back-office {pct_value(h['back_office_england_pct_of_tse'])} "
               f"{tse} compares with NLGN's {pct_value(h['nlgn_realistic_pct'])} {tse} (realistic) and "
               f"{pct_value(h['nlgn_best_case_pct'])} {tse} (best case). "
               f"The median council's {pct_value(h['back_office_median_pct_of_tse'])} of its own total service "
               "expenditure differs because most councils are small districts whose central services are a large "
               "part of their budgets.")
    calibration = ("The comparison with NLGN is calibration, not validation. The back-office overhead inside the "
                   "other services was solved from NLGN's own back-office share, so that a typical council's back "
                   f"office would save NLGN's {pct_value(h['nlgn_realistic_pct'])} {tse}. It came out at "
                   f"{pct(cited['back_office_overhead_share'])} of each service's spending. So neither that figure nor the suite's lower "
                   f"{pct_value(h['back_office_england_pct_of_tse'])} of England's total service expenditure (its base "
                   "leaves schools out) tests the model; report 60 holds the model against the partnerships that set "
                   "none of its parameters.")
    judgement = ("These are model outputs resting on red-rated judgements of how much of each service's spending can "
                 "be shared. The suite takes the shareable part to be "
                 f"{pct(cited['central_addressable_share'])} of central services' spending, for example. For adult "
                 f"social care it takes {pct(cited['adult_social_care_addressable_share'])} of adult social care's "
                 "spending. The savings rates themselves are claims and estimates, not audited outturn.")
    return [median, reach, core_basis, england, calibration, judgement]


def benchmark_lines(h: Headlines) -> dict[str, float]:
    """The benchmark lines of the savings figure: label -> % of total service expenditure.

    Examples
    --------
    >>> benchmark_lines({"nlgn_realistic_pct": 1.8, "nlgn_best_case_pct": 3.6, "close_to_10_pct": 10.0})
    {'NLGN realistic (1.8%)': 1.8, 'NLGN best case (3.6%)': 3.6, '"Close to 10%" (claim)': 10.0}
    """
    return {f"NLGN realistic ({pct_value(h['nlgn_realistic_pct'])})": float(h["nlgn_realistic_pct"]),
            f"NLGN best case ({pct_value(h['nlgn_best_case_pct'])})": float(h["nlgn_best_case_pct"]),
            f"\"Close to {pct_value(h['close_to_10_pct'], 0)}\" (claim)": float(h["close_to_10_pct"])}


def distribution_title(h: Headlines) -> str:
    """Title of the figure of each council's saving (% of total service expenditure).

    Examples
    --------
    >>> distribution_title({"back_office_median_pct_of_tse": 3.99, "public_realm_median_pct_of_tse": 6.32,
    ...                     "close_to_10_pct": 10.0})
    'The median council would save 4.0% of total service expenditure sharing its back office and 6.3% of total service expenditure with the wider public realm, against "close to 10%"'
    """
    return (f"The median council would save {pct_value(h['back_office_median_pct_of_tse'])} of total service "
            f"expenditure sharing its back office and {pct_value(h['public_realm_median_pct_of_tse'])} of total service "
            f"expenditure with the wider "
            f"public realm, against \"close to {pct_value(h['close_to_10_pct'], 0)}\"")


def reach_curves_title(h: Headlines) -> str:
    """Title of the reach curves: the councils reaching the claim with the broad programme.

    Examples
    --------
    >>> reach_curves_title({"broad_reach_10_tse_pct": 0.85, "broad_reach_10_core_pct": 2.3, "close_to_10_pct": 10.0})
    'Councils saving "close to 10%" with the broad programme: 1% of councils on total service expenditure, 2% of councils on core spending'
    """
    return (f"Councils saving \"close to {pct_value(h['close_to_10_pct'], 0)}\" with the broad programme: "
            f"{pct_value(h['broad_reach_10_tse_pct'], 0)} of councils on total service expenditure, "
            f"{pct_value(h['broad_reach_10_core_pct'], 0)} of councils on core spending")


def reach_chart_title(reach_core: pd.DataFrame, h: Headlines) -> str:
    """Title of the chart of the councils reaching the claim on core spending, by class.

    Examples
    --------
    >>> r = pd.DataFrame({"back_office_waste": [1.49, 0.0, 0.85], "broad": [1.49, 11.1, 0.85]},
    ...                  index=pd.Index(["SD", "SC", "All"], name="class"))
    >>> reach_chart_title(r, {"close_to_10_pct": 10.0})
    'With social care shared, 11% of shire counties save "close to 10%" of core spending. Without it no class has more than 1% of its councils there'
    """
    claim = pct_value(h["close_to_10_pct"], 0)
    without = pct_value(reach_core.drop(index="All", errors="ignore")["back_office_waste"].max(), 0)
    sc = reach_core.loc["SC", "broad"]
    head = (f"Even with social care shared, no shire county saves \"close to {claim}\" of core spending"
            if sc == 0 else
            f"With social care shared, {pct_value(sc, 0)} of shire counties save \"close to {claim}\" of core spending")
    return f"{head}. Without it no class has more than {without} of its councils there"
