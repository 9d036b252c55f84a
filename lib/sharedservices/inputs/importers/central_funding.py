"""Like-for-like central funding: one measure for every principal council and year.

The Revenue Outturn (RS) financing lines change meaning twice: in 2011-12 Area Based Grant
ends and many grants are rolled into formula grant or re-badged (the Early Intervention
Grant); in 2013-14 formula grant gives way to revenue support grant plus retained business
rates, with more grants rolled in and new responsibilities arriving with their money.
:func:`build_central_funding` counts the same kinds of funding on both sides of every
change (the definition is in ``data/assumptions/central_funding.yaml`` and the data log):

=========================  ==========================================================
component                  years and sign (contribution to the total, £ thousand cash)
=========================  ==========================================================
revenue_support_grant      every year
business_rates             redistributed rates to 2012-13, retained rates from 2013-14
area_based_grant           2010-11
local_services_support...  2011-12 on
rolled_in_grants_est.      2010-11: specific grants rolled into formula grant or the
                           Early Intervention Grant in 2011-12 (derived national
                           amount, shared by 2010-11 social care spend)
concessionary_travel_est.  2010-11: the April 2011 transfer from districts to counties
early_intervention_est.    2011-12, 2012-13: the Early Intervention Grant
early_years_to_schools...  to 2012-13, negative: the grant's share that became schools
                           funding in 2013-14 (and the same share of its predecessors)
council_tax_freeze_est.    2011-12, 2012-13: the 2011-12 freeze grant (2.5 % of 2010-11
                           council tax), rolled into the 2013-14 settlement
council_tax_support_est.   2013-14 on, negative: a new responsibility with its money
learning_disability_est.   2013-14 on, negative: NHS funding transferred in 2011-12
education_services_est.    2013-14, 2014-15: the settlement money moved to DfE's
                           Education Services Grant
=========================  ==========================================================

Money is £ thousand, cash.  ``gbp_thousand`` is the sum of the component columns;
``estimated_gbp_thousand`` is the sum of the absolute values of the estimated ones, so
``estimated_gbp_thousand / gbp_thousand`` says how much of a council's figure rests on
the suite's estimates.  ``flags`` holds codes (``;``-separated): ``rates_pilot`` (2017-18
100 % rates-retention pilot, measured on its published settlement funding assessment),
``not_collected`` (no return; the total is missing).  ``retained_rates_above_baseline`` is
what a council retained beyond the settlement's rates baseline (growth or collection-fund
timing): local income, shown beside the measure and not in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sharedservices.errors import DataError

__all__ = [
    "COLUMNS",
    "COMPONENTS",
    "ESTIMATED",
    "CentralFundingRules",
    "build_central_funding",
    "explain_rise",
    "real_rises",
    "rules_from_assumptions",
]

#: Component columns in table order; each is a signed contribution to ``gbp_thousand``.
COMPONENTS: tuple[str, ...] = (
    "revenue_support_grant",
    "business_rates",
    "area_based_grant",
    "local_services_support_grant",
    "rolled_in_grants_estimate",
    "concessionary_travel_estimate",
    "early_intervention_grant_estimate",
    "early_years_to_schools_estimate",
    "council_tax_freeze_grant_estimate",
    "council_tax_support_estimate",
    "learning_disability_grant_estimate",
    "education_services_estimate",
)
#: The components that are the suite's estimates rather than RS lines.
ESTIMATED: tuple[str, ...] = tuple(c for c in COMPONENTS if c.endswith("_estimate"))
COLUMNS: tuple[str, ...] = (
    "ecode", "year", "gbp_thousand", *COMPONENTS, "estimated_gbp_thousand", "retained_rates_above_baseline",
    "basis", "flags", "status",
)
#: Financial years of the measure.
YEARS: tuple[str, ...] = ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18")
PRINCIPAL: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L")
_RETENTION = ("2013-14", "2014-15", "2017-18")
#: RS lines read from ``spending`` (the rest come from ``finance``).
_SPEND_LINES = frozenset({"education", "highways_transport", "social_care", "childrens_social_care",
                          "adult_social_care", "public_health", "central", "total_service_expenditure"})


@dataclass(frozen=True)
class CentralFundingRules:
    """The cited figures and rules the measure uses (see ``central_funding.yaml``).

    Money in £ thousand, cash; fractions as fractions.
    """

    formula_grant_plan: Mapping[str, float]
    eig: Mapping[str, float]
    eig_announced_2011_12: float
    eig_cut_against_predecessors: float
    eig_to_schools_2013_14: float
    eig_allocation_services: Sequence[str]
    rolled_in_allocation_service: str
    freeze_grant_rate: float
    learning_disability_2012_13: float
    learning_disability_allocation_service: str
    education_services_transfer: float
    education_services_allocation_service: str
    rates_pilots: Sequence[str]
    pilots_settlement_2017_18: Mapping[str, float]
    rates_baseline_uprating: Mapping[str, float]

    @property
    def schools_share_of_eig(self) -> float:
        """Share of the Early Intervention Grant that became schools funding in 2013-14."""
        return self.eig_to_schools_2013_14 / float(self.eig["2012-13"])

    @property
    def formula_grant_cut_2011_12(self) -> float:
        """SR2010's planned cash cut in formula grant in 2011-12, on the 2011-12 basis."""
        return 1.0 - float(self.formula_grant_plan["2011-12"]) / float(self.formula_grant_plan["2010-11"])


def rules_from_assumptions() -> CentralFundingRules:
    """The rules from ``data/assumptions/central_funding.yaml`` and ``sr2010.yaml``."""
    from sharedservices.inputs import assumptions

    v = assumptions.value
    k = "central_funding."
    return CentralFundingRules(
        formula_grant_plan={str(y): float(x) for y, x in v("sr2010.formula_grant_cash_gbp_bn").items()},
        eig={str(y): float(x) for y, x in v(k + "early_intervention_grant_gbp_thousand").items()},
        eig_announced_2011_12=float(v(k + "eig_announced_2011_12_gbp_thousand")),
        eig_cut_against_predecessors=float(v(k + "eig_cut_against_predecessors")),
        eig_to_schools_2013_14=float(v(k + "eig_to_schools_2013_14_gbp_thousand")),
        eig_allocation_services=tuple(str(x) for x in v(k + "eig_allocation_lines")),
        rolled_in_allocation_service=str(v(k + "rolled_in_2011_12_allocation_service")),
        freeze_grant_rate=float(v(k + "council_tax_freeze_grant_2011_12_rate")),
        learning_disability_2012_13=float(v(k + "learning_disability_grant_2012_13_gbp_thousand")),
        learning_disability_allocation_service=str(v(k + "learning_disability_allocation_service")),
        education_services_transfer=float(v(k + "education_services_transfer_2013_14_gbp_thousand")),
        education_services_allocation_service=str(v(k + "education_services_allocation_service")),
        rates_pilots=tuple(str(c) for c in v(k + "rates_pilots_2017_18")),
        pilots_settlement_2017_18={str(c): float(x) for c, x in v(k + "rates_pilots_settlement_2017_18_gbp_thousand").items()},
        rates_baseline_uprating={str(y): float(x) for y, x in v(k + "rates_baseline_uprating").items()},
    )


def _share(x: pd.Series) -> pd.Series:
    """Each council's share of a non-negative line (0 where nobody has any)."""
    x = x.fillna(0.0).clip(lower=0.0)
    total = float(x.sum())
    return x / total if total > 0 else x * 0.0


def rates_baseline(rsg_2013_14: pd.Series, retained_2013_14: pd.Series, council_class: pd.Series,
                   uprating: Mapping[str, float]) -> dict[str, pd.Series]:
    """The settlement's business-rates baseline for each council, from 2013-14.

    The 2013-14 settlement split each council's start-up funding between revenue support
    grant and a baseline funding level from business rates in one proportion, and uprated
    the baseline each year with the business-rates multiplier.  The proportion is read off
    the upper-tier councils, whose retained rates sit in a tight band around it: ``k`` =
    the median of their 2013-14 retained rates / revenue support grant.  The baseline in
    year y is ``k x RSG[2013-14] x uprating[y]``.  Retained rates above it are local
    growth or collection-fund timing, not central funding.

    Parameters
    ----------
    rsg_2013_14, retained_2013_14 : pandas.Series
        By council, £ thousand cash.
    council_class : pandas.Series
        By council (``SC``, ``SD``, ``UA``, ``MD``, ``L``).
    uprating : mapping of str to float
        Year -> cumulative uprating factor since 2013-14 (``'2013-14': 1.0``).

    Examples
    --------
    >>> i = ["A", "B", "C"]
    >>> b = rates_baseline(pd.Series([100.0, 200, 50], i), pd.Series([66.0, 134, 90], i),
    ...                    pd.Series(["UA", "SC", "SD"], i), {"2013-14": 1.0, "2014-15": 1.02})
    >>> b["2014-15"].round(2).tolist()
    [67.83, 135.66, 33.92]
    """
    upper = council_class.reindex(rsg_2013_14.index).isin(("SC", "UA", "MD", "L"))
    ratio = retained_2013_14 / rsg_2013_14.where(rsg_2013_14 > 0)
    k = float(ratio[upper].median())
    if not np.isfinite(k) or k <= 0:
        raise DataError(f"finance.csv: 2013-14 retained rates / revenue support grant median is {k!r} (allowed: a positive ratio)")
    return {y: k * rsg_2013_14 * float(u) for y, u in uprating.items()}


def build_central_funding(
    finance: pd.DataFrame, spending: pd.DataFrame, councils: pd.DataFrame, rules: CentralFundingRules
) -> pd.DataFrame:
    """Like-for-like central funding for every principal council and year (cash).

    Parameters
    ----------
    finance, spending, councils : pandas.DataFrame
        The processed tables (``data/processed``): long ``finance`` (income positive),
        long ``spending`` and ``councils`` (``ecode, class, county, principal`` used).
    rules : CentralFundingRules
        :func:`rules_from_assumptions`.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, one row per principal council and year, sorted; money £ thousand
        cash, components signed so that they sum to ``gbp_thousand``.

    Raises
    ------
    DataError
        A council's county cannot be found, or a year is missing from the tables.
    """
    pc = councils[councils["principal"].astype(bool) & councils["class"].isin(PRINCIPAL)]
    codes = sorted(pc["ecode"])
    cls = pc.set_index("ecode")["class"]
    fin = finance[finance["ecode"].isin(codes)].pivot_table(
        index="ecode", columns=["year", "item"], values="gbp_thousand", aggfunc="sum", dropna=False
    )
    spd = spending[spending["ecode"].isin(codes)].pivot_table(
        index="ecode", columns=["year", "service"], values="gbp_thousand", aggfunc="sum", dropna=False
    )
    status = finance[finance["ecode"].isin(codes) & (finance["item"] == "revenue_support_grant")]
    missing = set(zip(status.loc[status["status"] != "reported", "ecode"],
                      status.loc[status["status"] != "reported", "year"], strict=True))

    def f(year: str, item: str) -> pd.Series:
        if (year, item) not in fin.columns:
            return pd.Series(0.0, index=codes)
        return fin[(year, item)].reindex(codes).fillna(0.0)

    def s(year: str, service: str) -> pd.Series:
        if (year, service) not in spd.columns:
            return pd.Series(0.0, index=codes)
        return spd[(year, service)].reindex(codes).fillna(0.0)

    for y in YEARS:
        if (y, "revenue_support_grant") not in fin.columns:
            raise DataError(f"finance.csv: no revenue_support_grant rows for {y} (allowed: every year {', '.join(YEARS)})")

    r = rules
    zero = pd.Series(0.0, index=codes)
    comp: dict[str, dict[str, pd.Series]] = {y: {c: zero.copy() for c in COMPONENTS} for y in YEARS}
    rsg = {y: f(y, "revenue_support_grant") for y in YEARS}
    baseline = rates_baseline(rsg["2013-14"], f("2013-14", "retained_business_rates"), cls, r.rates_baseline_uprating)
    above: dict[str, pd.Series] = {}
    for y in YEARS:
        comp[y]["revenue_support_grant"] = rsg[y]
        if y in _RETENTION:
            retained = f(y, "retained_business_rates")
            settled = baseline[y].copy()
            if y == "2017-18":
                missing_pilots = sorted(set(r.rates_pilots) - set(r.pilots_settlement_2017_18))
                if missing_pilots:
                    raise DataError(f"central_funding.yaml: no 2017-18 settlement for pilot {missing_pilots[0]} "
                                    "(allowed: one per council in rates_pilots_2017_18)")
                for c in r.rates_pilots:
                    if c in settled.index:
                        settled[c] = r.pilots_settlement_2017_18[c] - rsg[y][c]
            comp[y]["business_rates"] = settled
            above[y] = retained - settled
        else:
            comp[y]["business_rates"] = f(y, "redistributed_business_rates")
        if y != "2010-11":
            comp[y]["local_services_support_grant"] = f(y, "local_services_support_grant")
    comp["2010-11"]["area_based_grant"] = f("2010-11", "area_based_grant")

    # 2011-12: the Early Intervention Grant, its predecessors, and the grants rolled in.
    upper = pd.Series([cls[c] != "SD" for c in codes], index=codes)

    def eig_key(year: str) -> pd.Series:
        keys = [_share(s(year, k) if k in _SPEND_LINES else f("2010-11", k)) for k in r.eig_allocation_services]
        return _share(sum(keys) * upper)

    eig_pred = eig_key("2011-12") * r.eig_announced_2011_12 / (1.0 - r.eig_cut_against_predecessors)
    schools = r.schools_share_of_eig
    for y in ("2011-12", "2012-13"):
        eig_y = eig_key(y) * float(r.eig[y])
        comp[y]["early_intervention_grant_estimate"] = eig_y
        comp[y]["early_years_to_schools_estimate"] = -schools * eig_y
        comp[y]["council_tax_freeze_grant_estimate"] = r.freeze_grant_rate * f("2010-11", "council_tax_requirement")
    comp["2010-11"]["early_years_to_schools_estimate"] = -schools * eig_pred
    fg10 = float((rsg["2010-11"] + f("2010-11", "redistributed_business_rates")).sum())
    fg11 = float((rsg["2011-12"] + f("2011-12", "redistributed_business_rates")).sum())
    rolled_in = (fg11 / (1.0 - r.formula_grant_cut_2011_12) - fg10
                 + float(eig_pred.sum())
                 - float(f("2010-11", "area_based_grant").sum() - f("2011-12", "local_services_support_grant").sum()))
    comp["2010-11"]["rolled_in_grants_estimate"] = _share(s("2010-11", r.rolled_in_allocation_service)) * max(rolled_in, 0.0)

    # Concessionary travel: districts to counties in April 2011.  The national amount is
    # the districts' fall in highways and transport spend; it is shared by population
    # (the formula funding followed residents, not costs), imputed from the fall where
    # the census gives no 2011 population for the district.
    county = pc.set_index("ecode")["county"]
    people = pc.set_index("ecode")["population_2011"]
    by_name = dict(zip(pc["name"], pc["ecode"], strict=True))
    districts = [c for c in codes if cls[c] == "SD"]
    fall = (s("2010-11", "highways_transport") - s("2011-12", "highways_transport")).clip(lower=0.0)[districts]
    pop = people.reindex(districts).astype(float)
    known = pop.notna()
    if known.any() and float(fall[known].sum()) > 0:
        pop = pop.fillna(fall * float(pop[known].sum()) / float(fall[known].sum()))
    moved = _share(pop) * float(fall.sum())
    transfer = zero.copy()
    for d in districts:
        parent = by_name.get(county.get(d))
        if parent is None:
            raise DataError(f"councils.csv: shire district {d} has county {county.get(d)!r}, which is not a council (allowed: a shire county's name)")
        transfer[d] -= moved[d]
        transfer[parent] += moved[d]
    comp["2010-11"]["concessionary_travel_estimate"] = transfer

    # 2013-14 on: council tax support, learning disability, education services, pilots.
    settlement13 = rsg["2013-14"] + comp["2013-14"]["business_rates"]
    cts13 = (f("2012-13", "council_tax_requirement") - f("2013-14", "council_tax_requirement")).clip(lower=0.0)
    ld13 = _share(s("2012-13", r.learning_disability_allocation_service)) * r.learning_disability_2012_13
    esg13 = _share(s("2013-14", r.education_services_allocation_service)) * r.education_services_transfer
    for y in _RETENTION:
        settlement = rsg[y] + comp[y]["business_rates"]
        ratio = (settlement / settlement13.where(settlement13 > 0)).fillna(0.0)
        comp[y]["council_tax_support_estimate"] = -cts13 * ratio
        comp[y]["learning_disability_grant_estimate"] = -ld13 * ratio
        if y != "2017-18":
            comp[y]["education_services_estimate"] = esg13.copy()

    rows: list[dict[str, Any]] = []
    pilots = set(r.rates_pilots)
    for y in YEARS:
        frame = pd.DataFrame(comp[y])
        total = frame[list(COMPONENTS)].sum(axis=1)
        est = frame[list(ESTIMATED)].abs().sum(axis=1)
        for c in codes:
            flags = []
            if y == "2017-18" and c in pilots:
                flags.append("rates_pilot")
            collected = (c, y) not in missing
            if not collected:
                flags.append("not_collected")
            row = {"ecode": c, "year": y}
            row["gbp_thousand"] = float(total[c]) if collected else np.nan
            for k in COMPONENTS:
                row[k] = float(frame.at[c, k]) if collected else np.nan
            row["estimated_gbp_thousand"] = float(est[c]) if collected else np.nan
            row["retained_rates_above_baseline"] = (float(above[y][c]) if collected else np.nan) if y in above else 0.0
            row["basis"] = "settlement funding (rates retention)" if y in _RETENTION else "formula grant"
            row["flags"] = ";".join(flags)
            row["status"] = "reported" if collected else "not_collected"
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.sort_values(["ecode", "year"]).reset_index(drop=True)


#: Groups the rise check attributes a rise to: settlement funding is one group, so that a
#: change of line at a change of regime (redistributed rates to revenue support grant) is
#: not mistaken for a rise.
RISE_GROUPS: dict[str, tuple[str, ...]] = {
    "settlement_funding": ("revenue_support_grant", "business_rates"),
    **{c: (c,) for c in COMPONENTS if c not in ("revenue_support_grant", "business_rates")},
}
#: Breaks at which grants moved into or out of the settlement.
_BREAKS = ("2011-12", "2013-14")


def explain_rise(driver: str, to_year: str, deltas: Mapping[str, float], base: float) -> str:
    """Why the funding check lists a council, with the numbers (£m, 2010-11 prices).

    Parameters
    ----------
    driver : str
        The group (:data:`RISE_GROUPS`) whose real change added most.
    to_year : str
    deltas : mapping
        Real change of every group, £ thousand.
    base : float
        The council's 2010-11 real funding, £ thousand.

    Examples
    --------
    >>> explain_rise("local_services_support_grant", "2012-13", {"local_services_support_grant": 1500.0}, 6000.0)
    'a Local Services Support Grant of £1.5m more than the year before (an RS line, real money)'
    """
    def m(x: float) -> str:
        return f"£{abs(x) / 1000.0:,.1f}m"

    d = deltas.get(driver, 0.0)
    if driver == "settlement_funding" and to_year in _BREAKS:
        moved = sum(v for k, v in deltas.items() if k in ESTIMATED or k in ("area_based_grant",
                                                                            "local_services_support_grant"))
        sign = "\u2212" if moved < 0 else "+"  # the minus sign of report.format (U+2212)
        return (f"at the change of regime its settlement funding rose {m(d)} while the other lines of the measure, "
                f"mostly the suite's estimates of grants rolled in or moved, changed by "
                f"{sign}{m(moved)}: the estimates, national totals shared by spend, are "
                "probably too small for this council (or it gained from the new formula)")
    if driver == "settlement_funding":
        return f"its settlement funding rose {m(d)} (RS lines)"
    if driver == "local_services_support_grant":
        return f"a Local Services Support Grant of {m(d)} more than the year before (an RS line, real money)"
    if driver == "concessionary_travel_estimate":
        return (f"the suite's estimate of the concessionary-travel funding moved to its county is {m(d)}, "
                f"{100 * abs(d) / base:.0f}% of its 2010-11 funding; shared by population, it is probably too "
                "large for this district, so its 2010-11 base is too low")
    kind = "one of the suite's estimates" if driver in ESTIMATED else "an RS line"
    return f"{driver.replace('_', ' ')} changed by {m(d)} ({kind})"


def real_rises(table: pd.DataFrame, deflator: Mapping[str, float], tolerance: float,
               councils: pd.DataFrame | None = None) -> pd.DataFrame:
    """Councils whose real like-for-like funding rose by more than ``tolerance`` (a share of
    their 2010-11 funding) between consecutive data years in which England's fell, with
    the group of lines that rose most and why.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`build_central_funding` output.
    deflator : mapping
        Financial year -> GDP deflator index (``prices.gdp_deflator``).
    tolerance : float
        Fraction of the council's 2010-11 real funding.
    councils : pandas.DataFrame, optional
        Adds ``name`` and ``class`` when given.

    Returns
    -------
    pandas.DataFrame
        ``ecode, from_year, to_year, rise_share_of_2010_11, england_change_share, driver,
        driver_share_of_2010_11, estimated, explanation``: ``driver`` is the group of
        :data:`RISE_GROUPS` whose real change added most, ``estimated`` whether it is one
        of the suite's estimates, ``explanation`` (:func:`explain_rise`) says why with the
        numbers.

    Examples
    --------
    >>> t = pd.DataFrame({"ecode": ["A"] * 2 + ["B"] * 2, "year": ["2010-11", "2011-12"] * 2,
    ...                   "gbp_thousand": [100.0, 110.0, 900.0, 700.0],
    ...                   "revenue_support_grant": [100.0, 110.0, 900.0, 700.0]})
    >>> real_rises(t, {"2010-11": 100.0, "2011-12": 100.0}, 0.05)[["ecode", "rise_share_of_2010_11", "driver"]].values.tolist()
    [['A', 0.1, 'settlement_funding']]
    """
    t = table.copy()
    factor = 100.0 / t["year"].map(lambda y: float(deflator[y]))
    groups = {g: [c for c in cols if c in t.columns] for g, cols in RISE_GROUPS.items()}
    groups = {g: cols for g, cols in groups.items() if cols}
    real = {g: t.assign(v=t[cols].sum(axis=1) * factor).pivot(index="ecode", columns="year", values="v")
            for g, cols in groups.items()}
    wide = t.assign(v=t["gbp_thousand"] * factor).pivot(index="ecode", columns="year", values="v")
    years = [y for y in YEARS if y in wide.columns]
    base = wide[years[0]]
    rows = []
    for a, b in zip(years, years[1:], strict=False):
        england = float(wide[b].sum() - wide[a].sum()) / float(base.sum())
        if england >= 0:
            continue
        rise = (wide[b] - wide[a]) / base.where(base > 0)
        for c in rise[rise > tolerance].index:
            deltas = {g: float(real[g].at[c, b] - real[g].at[c, a]) for g in groups}
            driver = max(deltas, key=lambda g: deltas[g])
            rows.append({"ecode": c, "from_year": a, "to_year": b, "rise_share_of_2010_11": float(rise[c]),
                         "england_change_share": england, "driver": driver,
                         "driver_share_of_2010_11": deltas[driver] / float(base[c]),
                         "estimated": driver in ESTIMATED,
                         "explanation": explain_rise(driver, b, deltas, float(base[c]))})
    out = pd.DataFrame(rows, columns=["ecode", "from_year", "to_year", "rise_share_of_2010_11",
                                      "england_change_share", "driver", "driver_share_of_2010_11", "estimated",
                                      "explanation"])
    if councils is not None and not out.empty:
        out = out.merge(councils[["ecode", "name", "class"]], on="ecode", how="left")
    return out.sort_values(["to_year", "rise_share_of_2010_11"], ascending=[True, False]).reset_index(drop=True)
