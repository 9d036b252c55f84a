"""Headline numbers of ``10-front-loading``: how front-loaded the SR2010 cuts were.

Model outputs computed from the processed data and the cited SR2010 profile, never typed
by hand.  Front-loading indices and the two funding breaks are always real (2010-11
prices); the funding and spending changes follow ``deflate`` (real or cash).
"""

from __future__ import annotations

import math

import pandas as pd

from sharedservices.inputs.importers import central_funding
from sharedservices.model import cited, cuts, national, scenario
from sharedservices.report.findings import register
from sharedservices.report.tables import front_loading as t

#: Lines left out when naming the service that fell most: education (its fall is largely
#: academy conversion, not cuts) and the totals.
NOT_A_SERVICE = ("education", "core_spending", "total_service_expenditure")


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _change(df: pd.DataFrame, year: str) -> float | None:
    row = df[(df["class"] == "All") & (df["year"] == year)]
    return None if row.empty else _num(float(row["index_2010_11"].iloc[0]) - 100.0)


@register("10-front-loading")
def headlines(council_class: str = "all", deflate: bool = True) -> dict[str, float | int | str | None]:
    """Headlines of the front-loading report for ``council_class`` (``all`` or a class).

    Keys: ``sr2010_front_loading_index``, ``sr2010_real_cut_pct`` (plans, % of 2010-11,
    real), ``councils``, ``councils_with_net_cut``, ``councils_no_net_cut``,
    ``median_front_loading_index`` (councils with a net cut), ``more_front_loaded_than_sr2010``
    and ``more_front_loaded_than_sr2010_pct`` (% of councils with a net cut),
    ``most_front_loaded_class`` and its ``_median``, ``median_real_cut_pct`` (central funding,
    2010-11 to 2014-15, real), ``central_funding_change_2014_15_pct`` and ``_2017_18_pct``
    (sum over the councils, real or cash), ``rollin_abg_gbp_m`` / ``rollin_pct_of_2010_11`` and
    ``retention_step_gbp_m`` / ``retention_step_pct_of_2010_11`` (real), the class with the largest
    step (``largest_retention_step_class`` and its ``_pct_of_2010_11``), ``sr_period_years``,
    ``core_spending_change_pct``, ``education_change_pct``, ``largest_fall_service`` and
    ``largest_fall_pct`` (2010-11 to 2014-15, real or cash), ``councils_weak_comparison``
    (left out of the index: the funding check lists them for a year of the Spending Review
    period), ``england_real_change_2014_15_pct`` and ``england_real_change_2017_18_pct``
    (like-for-like central funding of all England's principal councils, % of 2010-11 in
    real terms, negative for a fall, whatever ``council_class``).

    The index statistics cover the councils whose comparison is like for like (not weak).
    ``england_front_loading_index`` is the index of England's summed funding; the ``_low`` /
    ``_high`` keys give the range of it, of the median index and of the count more
    front-loaded than the plans with any one of the suite's estimates halved
    (:func:`sharedservices.model.national.central_funding_sensitivity`);
    ``sr2010_lg_del_front_loading_index`` is the plans' index for the whole local
    government DEL (formula grant with the freeze grant and other DCLG grants);
    ``councils_no_net_cut_weak`` counts weak comparisons with no net cut;
    ``rolled_in_calibration_cut_pct`` is the planned 2011-12 cash cut the rolled-in grants
    are derived from (so England's first-year change is calibrated, not measured).
    """
    councils = national.principal_councils(council_class)
    sr_index = scenario.sr2010_front_loading_index()
    d = cited.defaults()
    n = d.sr2010_period_years
    flt = national.front_loading_table(councils["ecode"])
    sens = national.central_funding_sensitivity()
    halved = sens[sens["variant"].isin(["published", "halved"])]
    rules = central_funding.rules_from_assumptions()
    lg_del_index = cuts.front_loading_index(1.0 - cited.sr2010_lg_del_ratio()[1 : n + 1])
    by_class = t.front_loading_by_group(flt, councils, "class", sr_index)
    every = by_class.loc["All"]
    classes = by_class.drop(index="All").dropna(subset=["index_median"])
    top = classes["index_median"].idxmax() if len(classes) else None
    paths = t.funding_by_class(national.funding_paths(councils["ecode"], real=deflate), councils)
    spending = national.spending_long(real=deflate)
    change = t.service_change(spending, councils, cuts.BASE_YEAR, "2014-15")["All"]
    services = change.drop(index=[s for s in NOT_A_SERVICE if s in change.index]).dropna()
    breaks_by_class = t.funding_breaks_by_class(flt, councils)
    breaks = breaks_by_class.loc["All"]
    steps = breaks_by_class.drop(index="All")["retention_step_pct_of_2010_11"].dropna()
    more = int(every.get("more_front_loaded_than_sr2010", 0))
    return {
        "sr2010_front_loading_index": sr_index,
        "sr2010_real_cut_pct": 100.0 * (1.0 - float(d.sr2010_ratio[n])),
        "councils": int(every["councils"]),
        "councils_weak_comparison": int(every["weak_comparison"]),
        "councils_with_net_cut": int(every["with_net_cut"]),
        "councils_no_net_cut": int(every["no_net_cut"]),
        "median_front_loading_index": _num(every["index_median"]),
        "more_front_loaded_than_sr2010": more,
        "more_front_loaded_than_sr2010_pct": (100.0 * more / every["with_net_cut"]) if every["with_net_cut"] else None,
        "most_front_loaded_class": top,
        "most_front_loaded_class_median": None if top is None else _num(classes.loc[top, "index_median"]),
        "median_real_cut_pct": _num(every["median_real_cut_pct_of_2010_11"]),
        "central_funding_change_2014_15_pct": _change(paths, "2014-15"),
        "central_funding_change_2017_18_pct": _change(paths, "2017-18"),
        "rollin_abg_gbp_m": float(breaks["rollin_abg_gbp_m"]),
        "rollin_pct_of_2010_11": _num(breaks["rollin_pct_of_2010_11"]),
        "retention_step_gbp_m": float(breaks["retention_step_gbp_m"]),
        "retention_step_pct_of_2010_11": _num(breaks["retention_step_pct_of_2010_11"]),
        "largest_retention_step_class": None if steps.empty else str(steps.idxmax()),
        "largest_retention_step_pct_of_2010_11": None if steps.empty else float(steps.max()),
        "sr_period_years": n,
        "core_spending_change_pct": _num(change.get("core_spending", float("nan"))),
        "education_change_pct": _num(change.get("education", float("nan"))),
        "largest_fall_service": None if services.empty else str(services.idxmin()),
        "largest_fall_pct": None if services.empty else float(services.min()),
        "england_real_change_2014_15_pct": national.england_real_change(year="2014-15"),
        "england_real_change_2017_18_pct": national.england_real_change(year="2017-18"),
        "england_front_loading_index": national.england_front_loading_index(),
        "england_front_loading_index_low": float(halved["england_index"].min()),
        "england_front_loading_index_high": float(halved["england_index"].max()),
        "median_front_loading_index_low": float(halved["median_index"].min()),
        "median_front_loading_index_high": float(halved["median_index"].max()),
        "more_front_loaded_than_sr2010_low": int(halved["more_front_loaded_than_sr2010"].min()),
        "more_front_loaded_than_sr2010_high": int(halved["more_front_loaded_than_sr2010"].max()),
        "sr2010_lg_del_front_loading_index": lg_del_index,
        "councils_no_net_cut_weak": int(flt.loc[flt["weak_comparison"], "front_loading_index"].isna().sum()),
        "rolled_in_calibration_cut_pct": 100.0 * rules.formula_grant_cut_2011_12,
    }
