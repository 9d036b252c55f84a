"""Headline numbers of ``10-front-loading``: how front-loaded the SR2010 cuts were.

Model outputs computed from the processed data and the cited SR2010 profile, never typed
by hand.  Front-loading indices and the two funding breaks are always real (2010-11
prices); the funding and spending changes follow ``deflate`` (real or cash).

:func:`finding_lines` and the ``*_title`` functions write the key findings and the figure
titles from the headlines (and the tables they quote, passed in), every number through
:mod:`sharedservices.report.format`.
"""

from __future__ import annotations

import math

import pandas as pd

from sharedservices.inputs.data import CLASS_NAMES
from sharedservices.inputs.importers import central_funding
from sharedservices.model import cited, cuts, national, scenario
from sharedservices.report.findings import Headlines, register
from sharedservices.report.format import change, count, gbp_m, number, pct_value
from sharedservices.report.names import CORE_SPENDING, service_name
from sharedservices.report.tables import front_loading as t

__all__ = ["NOT_A_SERVICE", "core_spending_title", "finding_lines", "front_loading_title", "funding_title",
           "headlines", "prices_words", "service_change_title", "sr2010_title", "who_words"]

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


#: The last year of the Spending Review period, to which the services' changes run.
SR_END = "2014-15"
#: The NAO's estimates the key findings set beside England's change (keys of the reconciliation).
NAO_2014_15 = "national_estimates.nao_2014_to_2014_15"
NAO_2017_18 = "national_estimates.nao_2018_to_2017_18"


def who_words(council_class: str) -> str:
    """The councils a run covers, in words.

    Examples
    --------
    >>> who_words("all"), who_words("L")
    ('principal councils', 'London boroughs')
    """
    return "principal councils" if council_class == "all" else CLASS_NAMES[council_class]


def prices_words(deflate: bool) -> str:
    """The price base of the funding and spending paths, in words.

    Examples
    --------
    >>> prices_words(True), prices_words(False)
    ('real, 2010-11 prices', 'cash')
    """
    return f"real, {cuts.BASE_YEAR} prices" if deflate else "cash"


def _lost(change_pct: float, decimals: int = 1) -> str:
    """A change in funding as what was lost (or gained).

    >>> _lost(-29.44), _lost(3.0), _lost(-0.01)
    ('lost 29.4%', 'gained 3.0%', 'lost none')
    """
    return change(change_pct, decimals, "gained", "lost", "lost none")


def _how_many(n: int) -> str:
    """A count in a sentence, "none" for 0.

    >>> _how_many(0), _how_many(1234)
    ('none', '1,234')
    """
    return "none" if not n else count(n)


def _falls(a_pct: float, b_pct: float, basis: str, a_decimals: int = 1, b_decimals: int = 1) -> str:
    """Two changes (% of ``basis``, by 2014-15 and by 2017-18), as falls when both are, else
    with their signs; the basis is named with each.

    >>> _falls(-28.0, -49.1, "of 2010-11 funding", 0)
    'falls of 28% of 2010-11 funding by 2014-15 and 49.1% of 2010-11 funding by 2017-18'
    >>> _falls(-3.9, 14.85, "of 2010-11 funding")
    'changes of −3.9% of 2010-11 funding by 2014-15 and 14.9% of 2010-11 funding by 2017-18'
    """
    if a_pct < 0 and b_pct < 0:
        a, b, word = pct_value(-a_pct, a_decimals), pct_value(-b_pct, b_decimals), "falls"
    else:
        a, b, word = pct_value(a_pct, a_decimals), pct_value(b_pct, b_decimals), "changes"
    return f"{word} of {a} {basis} by 2014-15 and {b} {basis} by 2017-18"


def _index(x: float | None) -> str:
    """A front-loading index, two decimals (no net cut: no index)."""
    return "none (no net cut)" if x is None else number(x, 2)


def finding_lines(h: Headlines, reconciliation: pd.DataFrame, outturn: pd.DataFrame,
                  council_class: str = "all", deflate: bool = True) -> list[str]:
    """The key findings of the front-loading report, from its headlines.

    Parameters
    ----------
    h : dict
        :func:`headlines` for the same ``council_class`` and ``deflate``.
    reconciliation : DataFrame
        :func:`sharedservices.model.national.reconciliation` (``key``, ``published_pct``,
        ``suite_with_new_duties_pct``).
    outturn : DataFrame
        :func:`sharedservices.report.tables.plans_against_outturn` (index years 2011-12 ..).
    council_class, deflate
        The report's parameters.

    Examples
    --------
    >>> h = headlines()
    >>> lines = finding_lines(h, national.reconciliation(), t.plans_against_outturn(
    ...     cited.defaults().sr2010_ratio, national.england_real_path(), 4, cited.sr2010_lg_del_ratio()))
    >>> lines[0].startswith("Measured like for like"), "-0" in " ".join(lines)
    (True, False)
    """
    rec = reconciliation.set_index("key")
    base, sr_end = cuts.BASE_YEAR, cuts.fy_label(int(h["sr_period_years"]))
    who, prices = who_words(council_class), prices_words(deflate)
    funding = f"of {base} funding"
    england = (f"Measured like for like (the same kinds of central funding counted before and after each change of "
               "regime; schools, public health and duties that came with their own money left out), England's "
               f"principal councils {_lost(h['england_real_change_2014_15_pct'])} of their {base} central funding in "
               f"real terms by 2014-15 ({base} prices). By 2017-18 they had "
               f"{_lost(h['england_real_change_2017_18_pct'])} of their {base} central funding. The NAO estimated "
               f"{_falls(rec.loc[NAO_2014_15, 'published_pct'], rec.loc[NAO_2017_18, 'published_pct'], funding, 0)}, "
               "on a definition the suite could not read (the 2014-15 figure as the NAO rounds it). Counting council tax support and the "
               "learning-disability transfer as central funding gives "
               f"{_falls(rec.loc[NAO_2014_15, 'suite_with_new_duties_pct'], rec.loc[NAO_2017_18, 'suite_with_new_duties_pct'], funding)}"
               " (the table below names every difference).")
    less = h["england_front_loading_index"] < h["sr2010_front_loading_index"]
    years = list(outturn.index)
    plans = (f"The SR2010 plans cut councils' formula grant by {pct_value(h['sr2010_real_cut_pct'])} in real terms "
             f"over {count(h['sr_period_years'])} years (% of {base} funding, {base} prices) and front-loaded it: "
             f"their front-loading index is {_index(h['sr2010_front_loading_index'])} "
             f"({_index(h['sr2010_lg_del_front_loading_index'])} for the whole local government budget, freeze grant "
             "included), where 0 is equal yearly steps and 1 the whole cut in the first year. England's like-for-like "
             f"funding fell {'less' if less else 'more'} front-loaded: its index is "
             f"{_index(h['england_front_loading_index'])} (between {_index(h['england_front_loading_index_low'])} and "
             f"{_index(h['england_front_loading_index_high'])} with any one of the suite's estimates halved). "
             + (f"Later settlements deepened the cuts of {years[2]} and {years[3]}: " if less else "")
             + f"by {years[1]} the plans had taken "
             f"{pct_value(outturn['share_of_final_cut_plans_pct'].iloc[1])} of their four-year cut. By then councils "
             f"had lost {pct_value(outturn['share_of_final_cut_outturn_pct'].iloc[1])} of their own four-year cut. "
             "The first-year figure is calibrated, not measured: the grants rolled into formula "
             f"grant in 2011-12 are derived from the plans' cash cut of "
             f"{pct_value(h['rolled_in_calibration_cut_pct'])} of the adjusted base.")
    more = h["more_front_loaded_than_sr2010_pct"]
    weak = ("No council is left out for a comparison the funding check cannot vouch for"
            if not h["councils_weak_comparison"] else
            f"{count(h['councils_weak_comparison'])} councils are left out because the funding check cannot vouch "
            f"for their comparison (listed below; {_how_many(h['councils_no_net_cut_weak'])} of them had no net cut)")
    rest = ("all the rest had a net cut" if not h["councils_no_net_cut"] else
            f"{count(h['councils_no_net_cut'])} of the rest had none")
    councils = (f"Council by council the index is uncertain. Of the {count(h['councils_with_net_cut'])} {who} with "
                f"a like-for-like comparison and a net real cut by {sr_end}, the median index is "
                f"{_index(h['median_front_loading_index'])} (across England's councils, "
                f"{_index(h['median_front_loading_index_low'])} to {_index(h['median_front_loading_index_high'])} "
                f"with any one estimate halved), and {_how_many(h['more_front_loaded_than_sr2010'])}"
                + ("" if not more else f" ({pct_value(more)} of those councils)")
                + f" were more front-loaded than the plans ({count(h['more_front_loaded_than_sr2010_low'])} to "
                f"{count(h['more_front_loaded_than_sr2010_high'])} councils in England with an estimate halved); the "
                "district estimates (concessionary travel) and the Early Intervention Grant's shares move these "
                f"most. {weak}, and {rest}.")
    median = h["median_real_cut_pct"]
    median_words = ("No council has a like-for-like comparison to take a median of." if median is None else
                    f"The median council{'' if council_class == 'all' else ' among ' + who} {_lost(-median)} of its {base} central funding by {sr_end} (% of {base}, "
                    "real, like for like).")
    step = h["retention_step_pct_of_2010_11"]
    if step is None:
        retention = ""
    elif round(step, 1) == 0:
        retention = " At the change to rates retention the measure did not move."
    else:
        retention = (f" At the change to rates retention the measure {change(step, 1, 'rose by', 'fell by')} of "
                     f"{base} funding ({gbp_m(abs(h['retention_step_gbp_m']))}, {base} prices)"
                     + (" instead of rising: grants rolled into the new settlement are counted on both sides."
                        if step < 0 else "."))
    return [england, plans, councils, median_words + retention, *_service_lines(h, prices)]


def _service_lines(h: Headlines, prices: str) -> list[str]:
    """The finding on the services: the line that fell most, core spending and education,
    one sentence each (each a % of its own 2010-11 level)."""
    base, sr_end = cuts.BASE_YEAR, SR_END
    own = f"% of its {base} level, {prices}"
    if h["largest_fall_service"] is None:
        fell = "No service line has spending in both years to compare."
    else:
        name = service_name(str(h["largest_fall_service"])).lower()
        x = float(h["largest_fall_pct"])
        fell = (f"Of the service lines, {name} fell most, by {pct_value(-x)} from {base} to {sr_end} ({own})."
                if x < 0 else
                f"No service line fell; {name} rose least, by {pct_value(x)} from {base} to {sr_end} ({own}).")
    again = f"% of its own {base} level"
    core = (f"Core spending ({CORE_SPENDING}) "
            f"{change(h['core_spending_change_pct'])} over the same years ({again}).")
    edu = ("" if h["education_change_pct"] is None else
           f" Education spending {change(h['education_change_pct'])} ({again}), mostly schools leaving for "
           "academies.")
    return [f"{fell} {core}{edu}"]


def sr2010_title(sr: pd.DataFrame) -> str:
    """Title of the figure of the SR2010 plans against the even path.

    Parameters
    ----------
    sr : DataFrame
        :func:`sharedservices.report.tables.sr2010_against_even`.

    Examples
    --------
    >>> sr2010_title(t.sr2010_against_even([1.0, 0.87, 0.8, 0.78, 0.73], 4))
    'In the first year SR2010 took 13% of 2010-11 real funding, where an even path to the same total cut would have taken 7% of 2010-11 real funding'
    """
    gap = sr["sr2010_gap_pct_of_2010_11"]
    funding = f"of {cuts.BASE_YEAR} real funding"
    return (f"In the first year SR2010 took {pct_value(gap.iloc[1], 0)} {funding}, where an even path to the same "
            f"total cut would have taken {pct_value(sr['even_gap_pct_of_2010_11'].iloc[1], 0)} {funding}")


def _lower(x_pct: float | None) -> str:
    return "n/a" if x_pct is None else change(x_pct, 0, "higher", "lower", "no different", size_first=True)


def funding_title(h: Headlines, council_class: str = "all", deflate: bool = True) -> str:
    """Title of the figure of central funding by class.

    Examples
    --------
    >>> funding_title({"central_funding_change_2014_15_pct": -29.4, "central_funding_change_2017_18_pct": -56.3})
    'Central funding of principal councils was 29% lower in 2014-15 than in 2010-11 and 56% lower in 2017-18 (real, 2010-11 prices, like for like)'
    """
    return (f"Central funding of {who_words(council_class)} was {_lower(h['central_funding_change_2014_15_pct'])} "
            f"in 2014-15 than in {cuts.BASE_YEAR} and {_lower(h['central_funding_change_2017_18_pct'])} in 2017-18 "
            f"({prices_words(deflate)}, like for like)")


def front_loading_title(h: Headlines, council_class: str = "all") -> str:
    """Title of the figure of the councils' front-loading indices.

    Examples
    --------
    >>> front_loading_title({"more_front_loaded_than_sr2010_pct": 0.88, "sr2010_front_loading_index": 0.3254})
    '1% of principal councils with a like-for-like net cut saw their central funding cut more front-loaded than the SR2010 plans (index 0.33)'
    """
    who, more = who_words(council_class), h["more_front_loaded_than_sr2010_pct"]
    if more is None:
        return f"None of the {who} had a like-for-like net cut, so none has a front-loading index"
    return (f"{pct_value(more, 0)} of {who} with a like-for-like net cut saw their central funding cut more "
            f"front-loaded than the SR2010 plans (index {_index(h['sr2010_front_loading_index'])})")


def service_change_title(h: Headlines, deflate: bool = True) -> str:
    """Title of the heat map of the change in spending by service and class.

    Examples
    --------
    >>> service_change_title({"largest_fall_service": "planning_development", "largest_fall_pct": -44.7,
    ...                       "core_spending_change_pct": -10.9})
    'Planning and development fell most, by 45% from 2010-11 to 2014-15 (real, 2010-11 prices); core spending fell 11%'
    """
    core = f"core spending {change(h['core_spending_change_pct'], 0)}"
    if h["largest_fall_service"] is None:
        return f"Change in spending by service from {cuts.BASE_YEAR} to {SR_END} ({prices_words(deflate)}); {core}"
    x = float(h["largest_fall_pct"])
    verb = f"fell most, by {pct_value(-x, 0)}" if x < 0 else f"rose least, by {pct_value(x, 0)}"
    return (f"{service_name(str(h['largest_fall_service']))} {verb} from {cuts.BASE_YEAR} to {SR_END} "
            f"({prices_words(deflate)}); {core}")


def core_spending_title(core: pd.DataFrame, h: Headlines, council_class: str = "all", deflate: bool = True) -> str:
    """Title of the figure of core spending by class, 2010-11 to 2017-18.

    Parameters
    ----------
    core : DataFrame
        :func:`sharedservices.report.tables.spending_by_class` of core spending (class ``All``
        included).

    Examples
    --------
    >>> core = pd.DataFrame({"class": ["All", "All"], "year": ["2010-11", "2017-18"],
    ...                      "index_2010_11": [100.0, 95.2]})
    >>> core_spending_title(core, {"central_funding_change_2017_18_pct": -56.3})
    'Core spending of principal councils fell 5% from 2010-11 to 2017-18 (real, 2010-11 prices); their central funding fell 56%'
    """
    core_change = float(t.class_year_wide(core, "index_2010_11").loc["All", "2017-18"]) - 100.0
    funding = h["central_funding_change_2017_18_pct"]
    return (f"Core spending of {who_words(council_class)} {change(core_change, 0)} from {cuts.BASE_YEAR} to 2017-18 "
            f"({prices_words(deflate)}); their central funding "
            f"{'n/a' if funding is None else change(funding, 0)}")
