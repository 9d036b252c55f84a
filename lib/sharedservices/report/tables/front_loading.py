"""Tables for the front-loading report (10): how front-loaded the 2010 Spending Review cuts were.

Pure functions, DataFrame in, DataFrame out, no I/O.  Money is £ thousand in the inputs
(``gbp_thousand``) and £m or £bn in the outputs (the column name says which); whether it
is real (2010-11 prices) or cash depends on what the caller passes and is stated in the
caption.  Percentages say their basis in the column name: ``_pct_of_2010_11`` is a
change relative to the 2010-11 level.

Inputs are the long tables of :mod:`sharedservices.inputs.data` (``spending``), the per-council
front-loading table of :func:`sharedservices.model.scenario.front_loading_table` and a council
frame with ``ecode, class, region`` (:func:`sharedservices.model.national.principal_councils`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from sharedservices.inputs import data
from sharedservices.model import cuts

__all__ = [
    "CHANGE_LINES",
    "FUNDING_COMPONENT_LABELS",
    "funding_components",
    "funding_reconciliation",
    "funding_sensitivity",
    "plans_against_outturn",
    "REGION_NAMES",
    "class_year_wide",
    "front_loading_by_group",
    "funding_breaks_by_class",
    "funding_by_class",
    "label_services",
    "no_net_cut",
    "service_change",
    "spending_by_class",
    "sr2010_against_even",
]

#: Service lines compared over time.  Social care is one line in 2010-11 and two from
#: 2011-12, so it is compared as one; public health is a new duty from 2013-14 and is left
#: out; police and fire are almost all outside the principal councils; the small residual
#: "other" line changes sign between years and is left out (it stays in the totals).
CHANGE_LINES: tuple[str, ...] = (
    "education", "highways_transport", "social_care", "housing", "cultural",
    "environmental_regulatory", "planning_development", "central",
    "core_spending", "total_service_expenditure",
)
_SOCIAL_CARE_PARTS = ("social_care", "adult_social_care", "childrens_social_care")
_CORE_EXCLUDED = ("education", "police", "fire", "public_health")

#: ONS region codes used in ``councils.csv`` (:data:`sharedservices.inputs.data.REGION_NAMES`).
REGION_NAMES: dict[str, str] = data.REGION_NAMES


def _class_order(values: Sequence[str]) -> list[str]:
    from sharedservices.report.style import CLASS_ORDER

    present = set(values)
    return [c for c in CLASS_ORDER if c in present] + sorted(present - set(CLASS_ORDER))


def sr2010_against_even(ratio: npt.ArrayLike, cut_years: int) -> pd.DataFrame:
    """The SR2010 national funding path beside the even path with the same total cut.

    Parameters
    ----------
    ratio : array_like
        Real central funding relative to 2010-11 (1.0 in year 0), years 0..N at least
        (:func:`sharedservices.model.cited.sr2010_ratio`).
    cut_years : int
        N, the years over which the cut falls (the Spending Review period).

    Returns
    -------
    DataFrame
        Index ``year`` (financial years 2010-11 ..); columns ``sr2010_index`` and
        ``even_index`` (real funding, 2010-11 = 100) and ``sr2010_gap_pct_of_2010_11`` and
        ``even_gap_pct_of_2010_11`` (the cut so far, % of 2010-11 funding, real).  Both
        paths end at the same level; the SR2010 path gets there sooner.

    Examples
    --------
    >>> sr2010_against_even([1.0, 0.85, 0.8, 0.8, 0.76], 4).round(1)["even_index"].tolist()
    [100.0, 94.0, 88.0, 82.0, 76.0]
    """
    r = np.asarray(ratio, dtype=float)[: int(cut_years) + 1]
    even = cuts.even_path(r, int(cut_years))
    out = pd.DataFrame(
        {"sr2010_index": 100.0 * r, "even_index": 100.0 * even},
        index=pd.Index([cuts.fy_label(t) for t in range(r.size)], name="year"),
    )
    out["sr2010_gap_pct_of_2010_11"] = 100.0 - out["sr2010_index"]
    out["even_gap_pct_of_2010_11"] = 100.0 - out["even_index"]
    return out


def _with_class(df: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["class"], errors="ignore").merge(councils[["ecode", "class"]], on="ecode", how="inner")


def funding_by_class(paths: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Central funding summed over each class by year, in £bn and as an index.

    Parameters
    ----------
    paths : DataFrame
        Long: ``ecode, year, gbp_thousand`` (one council's central funding in a year,
        like for like; real or cash as the caller chose).
    councils : DataFrame
        ``ecode, class``: the councils to include.

    Returns
    -------
    DataFrame
        Long: ``class`` (plus ``All`` for every council included), ``year``, ``gbp_bn``
        and ``index_2010_11`` (2010-11 = 100).

    Examples
    --------
    >>> p = pd.DataFrame({"ecode": ["A", "A", "B", "B"], "year": ["2010-11", "2011-12"] * 2,
    ...                   "gbp_thousand": [100.0, 80.0, 300.0, 300.0]})
    >>> c = pd.DataFrame({"ecode": ["A", "B"], "class": ["SD", "UA"]})
    >>> funding_by_class(p, c).query("`class` == 'All'")["index_2010_11"].tolist()
    [100.0, 95.0]
    """
    return _sum_by_class(_with_class(paths, councils), "gbp_thousand")


def _sum_by_class(df: pd.DataFrame, column: str) -> pd.DataFrame:
    by = df.groupby(["class", "year"], as_index=False)[column].sum()
    total = df.groupby("year", as_index=False)[column].sum().assign(**{"class": "All"})
    out = pd.concat([by, total], ignore_index=True)
    base = out[out["year"] == cuts.BASE_YEAR].set_index("class")[column]
    out["gbp_bn"] = out[column] / 1e6
    out["index_2010_11"] = 100.0 * out[column] / out["class"].map(base)
    order = {c: i for i, c in enumerate(_class_order(list(out["class"])) + ["All"])}
    out = out.sort_values(["class", "year"], key=lambda s: s.map(order) if s.name == "class" else s)
    return out[["class", "year", "gbp_bn", "index_2010_11"]].reset_index(drop=True)


def _core(wide: pd.DataFrame) -> pd.Series:
    excluded = [c for c in _CORE_EXCLUDED if c in wide.columns]
    return wide["total_service_expenditure"] - wide[excluded].fillna(0.0).sum(axis=1)


def _wide_lines(spending: pd.DataFrame) -> pd.DataFrame:
    """Rows (ecode, year), columns the lines of :data:`CHANGE_LINES` (social care summed)."""
    s = spending[spending["status"] == "reported"] if "status" in spending.columns else spending
    wide = s.pivot_table(index=["ecode", "year"], columns="service", values="gbp_thousand",
                         aggfunc="sum")
    parts = [c for c in _SOCIAL_CARE_PARTS if c in wide.columns]
    social = wide[parts].sum(axis=1, min_count=1)
    if "total_service_expenditure" in wide.columns:
        wide["core_spending"] = _core(wide)
    wide = wide.drop(columns=parts)
    wide["social_care"] = social
    return wide[[c for c in CHANGE_LINES if c in wide.columns]]


def spending_by_class(spending: pd.DataFrame, councils: pd.DataFrame, line: str = "core_spending") -> pd.DataFrame:
    """One spending line summed over each class by year, in £bn and as an index.

    ``core_spending`` is total service expenditure less education, police, fire and
    public health (a new duty from 2013-14): the spending councils fund themselves.

    Parameters
    ----------
    spending : DataFrame
        Long: ``ecode, year, service, gbp_thousand`` (real or cash as the caller chose).
    councils : DataFrame
        ``ecode, class``.
    line : str
        One of :data:`CHANGE_LINES`.

    Returns
    -------
    DataFrame
        As :func:`funding_by_class`.

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": "A", "year": ["2010-11"] * 2 + ["2011-12"] * 2,
    ...     "service": ["total_service_expenditure", "education"] * 2,
    ...     "gbp_thousand": [100.0, 40.0, 90.0, 40.0]})
    >>> c = pd.DataFrame({"ecode": ["A"], "class": ["UA"]})
    >>> spending_by_class(s, c)["index_2010_11"].round(1).tolist()
    [100.0, 83.3, 100.0, 83.3]
    """
    wide = _wide_lines(spending)
    if line not in wide.columns:
        raise KeyError(f"spending line: {line!r} (allowed: {', '.join(wide.columns)})")
    long = wide[[line]].reset_index().rename(columns={line: "gbp_thousand"})
    return _sum_by_class(_with_class(long, councils), "gbp_thousand")


def service_change(spending: pd.DataFrame, councils: pd.DataFrame, start: str = "2010-11",
                   end: str = "2014-15") -> pd.DataFrame:
    """Change in each service line from ``start`` to ``end``, % of the start level, by class.

    Only councils reporting in both years count.  A line whose net spending is not
    positive in the start year, or negative (net income) in the end year, shows NaN: a
    percentage change across a change of sign means nothing.

    Returns
    -------
    DataFrame
        Index ``service`` (:data:`CHANGE_LINES` present), one column per class and
        ``All`` (every council included), % change (negative = a fall).

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": "A", "year": ["2010-11", "2014-15"], "service": "cultural",
    ...                   "gbp_thousand": [100.0, 70.0]})
    >>> c = pd.DataFrame({"ecode": ["A"], "class": ["SD"]})
    >>> service_change(s, c).loc["cultural"].tolist()
    [-30.0, -30.0]
    """
    wide = _wide_lines(spending[spending["year"].isin([start, end])]).reset_index()
    both = wide.groupby("ecode")["year"].nunique()
    wide = _with_class(wide[wide["ecode"].isin(both[both == 2].index)], councils)
    lines = [c for c in CHANGE_LINES if c in wide.columns]
    cols = {}
    for klass, g in [*wide.groupby("class"), ("All", wide)]:
        totals = g.groupby("year")[lines].sum(min_count=1)
        s0, s1 = totals.loc[start], totals.loc[end]
        pct = 100.0 * (s1 - s0) / s0.where(s0 > 0)
        cols[klass] = pct.where(s1 >= 0).astype(float)
    out = pd.DataFrame(cols)[_class_order([k for k in cols if k != "All"]) + ["All"]]
    out.index.name = "service"
    out.columns.name = None
    return out


def front_loading_by_group(flt: pd.DataFrame, councils: pd.DataFrame, by: str = "class",
                           sr2010_index: float | None = None) -> pd.DataFrame:
    """The front-loading index and the real cut summarised by class or region.

    Councils with no net cut over the period have no index: they are counted in
    ``no_net_cut`` and left out of the index statistics, never given a number.  Councils
    marked ``weak_comparison`` (where ``flt`` has that column) are counted in
    ``weak_comparison`` and left out of everything else.

    Parameters
    ----------
    flt : DataFrame
        :func:`sharedservices.model.scenario.front_loading_table` (``ecode``,
        ``front_loading_index`` NaN for no net cut, ``real_cut_share``).
    councils : DataFrame
        ``ecode`` and the grouping column.
    by : {"class", "region"}
    sr2010_index : float, optional
        The national profile's index; adds ``more_front_loaded_than_sr2010`` (count).

    Returns
    -------
    DataFrame
        Index the groups plus ``All``; ``councils``, ``weak_comparison``, ``with_net_cut``,
        ``no_net_cut`` (counts), ``index_lower_quartile``, ``index_median``,
        ``index_upper_quartile`` and ``median_real_cut_pct_of_2010_11`` (central funding,
        real).

    Examples
    --------
    >>> f = pd.DataFrame({"ecode": list("ABC"), "front_loading_index": [0.2, 0.6, np.nan],
    ...                   "real_cut_share": [0.3, 0.2, -0.1]})
    >>> c = pd.DataFrame({"ecode": list("ABC"), "class": ["SD", "SD", "UA"]})
    >>> t = front_loading_by_group(f, c, sr2010_index=0.5)
    >>> t.loc["SD", ["with_net_cut", "no_net_cut", "more_front_loaded_than_sr2010"]].tolist()
    [2, 0, 1]
    >>> t.loc["UA", "no_net_cut"], bool(np.isnan(t.loc["UA", "index_median"]))
    (np.int64(1), True)
    """
    df = flt.drop(columns=[by], errors="ignore").merge(councils[["ecode", by]], on="ecode", how="inner")
    if "weak_comparison" not in df.columns:
        df["weak_comparison"] = False

    def summary(all_: pd.DataFrame) -> dict[str, float]:
        g = all_[~all_["weak_comparison"].astype(bool)]
        idx = g["front_loading_index"].dropna()
        row: dict[str, float] = {
            "councils": len(all_), "weak_comparison": len(all_) - len(g),
            "with_net_cut": idx.size, "no_net_cut": len(g) - idx.size,
            "index_lower_quartile": idx.quantile(0.25) if idx.size else np.nan,
            "index_median": idx.median() if idx.size else np.nan,
            "index_upper_quartile": idx.quantile(0.75) if idx.size else np.nan,
            "median_real_cut_pct_of_2010_11": 100.0 * g["real_cut_share"].median() if len(g) else np.nan,
        }
        if sr2010_index is not None:
            row["more_front_loaded_than_sr2010"] = int((idx > sr2010_index).sum())
        return row

    keys = _class_order(list(df[by].dropna())) if by == "class" else sorted(df[by].dropna().unique())
    rows = {k: summary(df[df[by] == k]) for k in keys}
    rows["All"] = summary(df)
    out = pd.DataFrame.from_dict(rows, orient="index")
    counts = ["councils", "weak_comparison", "with_net_cut", "no_net_cut"] + (
        ["more_front_loaded_than_sr2010"] if sr2010_index is not None else [])
    out[counts] = out[counts].astype("int64")
    out.index.name = by
    return out


def funding_breaks_by_class(flt: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """The two breaks in the central-funding definition, summed by class (£m, real).

    The 2011-12 **roll-in** break is the Area Based Grant added to 2010-11 to make it
    comparable with 2011-12 formula grant; the 2013-14 **rates-retention** break is the
    step in central funding from 2012-13 to 2013-14 (2013-14 minus 2012-13, real), which
    mixes the year's real cut with grants rolled in at the change of definition: a
    positive step means funding *rose* at the change, so the definitional part is at
    least that large.

    Returns
    -------
    DataFrame
        Index class plus ``All``; ``central_funding_2010_11_gbp_m``, ``rollin_abg_gbp_m``,
        ``rollin_pct_of_2010_11``, ``retention_step_gbp_m``, ``retention_step_pct_of_2010_11``.

    Examples
    --------
    >>> f = pd.DataFrame({"ecode": ["A"], "central_funding_2010_11_gbp_thousand": [1000.0],
    ...     "rollin_abg_gbp_thousand": [100.0], "retention_step_gbp_thousand": [50.0]})
    >>> c = pd.DataFrame({"ecode": ["A"], "class": ["UA"]})
    >>> funding_breaks_by_class(f, c).loc["UA", "rollin_pct_of_2010_11"]
    np.float64(10.0)
    """
    df = _with_class(flt, councils)
    cols = {"central_funding_2010_11_gbp_thousand": "central_funding_2010_11_gbp_m",
            "rollin_abg_gbp_thousand": "rollin_abg_gbp_m",
            "retention_step_gbp_thousand": "retention_step_gbp_m"}
    by = df.groupby("class")[list(cols)].sum()
    by = by.reindex(_class_order(list(by.index)))
    by.loc["All"] = df[list(cols)].sum()
    by = by.rename(columns=cols) / 1e3
    base = by["central_funding_2010_11_gbp_m"]
    by.insert(2, "rollin_pct_of_2010_11", 100.0 * by["rollin_abg_gbp_m"] / base)
    by["retention_step_pct_of_2010_11"] = 100.0 * by["retention_step_gbp_m"] / base
    by.index.name = "class"
    return by


def class_year_wide(df: pd.DataFrame, value: str = "gbp_bn") -> pd.DataFrame:
    """A by-class long table (:func:`funding_by_class`) as rows class, columns years.

    Examples
    --------
    >>> d = pd.DataFrame({"class": ["UA", "UA"], "year": ["2010-11", "2011-12"], "gbp_bn": [1.0, 0.9]})
    >>> class_year_wide(d).loc["UA"].tolist()
    [1.0, 0.9]
    """
    wide = df.pivot(index="class", columns="year", values=value)
    wide = wide.reindex(list(dict.fromkeys(df["class"])))
    wide.columns.name = None
    return wide


def no_net_cut(flt: pd.DataFrame) -> pd.DataFrame:
    """The councils with no net real cut in central funding over the period, and their change.

    Parameters
    ----------
    flt : DataFrame
        :func:`sharedservices.model.scenario.front_loading_table`, with ``class`` merged in.

    Returns
    -------
    DataFrame
        ``ecode, name, class, real_change_pct_of_2010_11`` (positive = funding rose) and
        ``front_loading_label`` ("no net cut"), largest rise first.

    Examples
    --------
    >>> f = pd.DataFrame({"ecode": ["A", "B"], "name": ["a", "b"], "class": ["UA", "SD"],
    ...     "real_cut_share": [0.2, -0.05], "front_loading_index": [0.4, np.nan],
    ...     "front_loading_label": ["0.40", "no net cut"]})
    >>> no_net_cut(f).to_dict("records")[0]["real_change_pct_of_2010_11"]
    5.0
    """
    out = flt[flt["front_loading_index"].isna()]
    out = pd.DataFrame({"ecode": out["ecode"], "name": out["name"], "class": out["class"],
                        "real_change_pct_of_2010_11": -100.0 * out["real_cut_share"],
                        "front_loading_label": out["front_loading_label"]})
    return out.sort_values("real_change_pct_of_2010_11", ascending=False).reset_index(drop=True)


def label_services(df: pd.DataFrame) -> pd.DataFrame:
    """A table indexed by service slug, with the index in words (for display).

    Examples
    --------
    >>> label_services(pd.DataFrame({"UA": [1.0]}, index=pd.Index(["core_spending"], name="service"))).index[0]
    'Core spending (TSE less education, police, fire, public health)'
    """
    from sharedservices.report.tables.overview import SERVICE_LABELS

    names = {**SERVICE_LABELS, "social_care": "Social care (adult and children's)",
             "core_spending": "Core spending (TSE less education, police, fire, public health)"}
    return df.rename(index=names)


#: The components of the like-for-like central funding measure, in words.
FUNDING_COMPONENT_LABELS: dict[str, str] = {
    "revenue_support_grant": "Revenue support grant",
    "business_rates": "Business rates (redistributed to 2012-13; settlement baseline from 2013-14)",
    "area_based_grant": "Area Based Grant (2010-11)",
    "local_services_support_grant": "Local Services Support Grant",
    "rolled_in_grants_estimate": "Specific grants rolled into formula grant in 2011-12 (estimate)",
    "concessionary_travel_estimate": "Concessionary travel moved from districts to counties (estimate)",
    "early_intervention_grant_estimate": "Early Intervention Grant (estimate by council)",
    "early_years_to_schools_estimate": "Less: its share that became schools funding in 2013-14 (estimate)",
    "council_tax_freeze_grant_estimate": "2011-12 council tax freeze grant (estimate)",
    "council_tax_support_estimate": "Less: council tax support, a new duty with its money (estimate)",
    "learning_disability_grant_estimate": "Less: learning-disability funding moved from the NHS (estimate)",
    "education_services_estimate": "Settlement money moved to the Education Services Grant (estimate)",
    "total": "Like-for-like central funding",
    "none": "The measure as published",
}


def funding_components(components: pd.DataFrame) -> pd.DataFrame:
    """What the like-for-like measure contains, with the components in words.

    Parameters
    ----------
    components : DataFrame
        :func:`sharedservices.model.national.central_funding_components` (index component,
        columns years, £m).

    Examples
    --------
    >>> c = pd.DataFrame({"2010-11": [10.0, 10.0]}, index=pd.Index(["area_based_grant", "total"], name="component"))
    >>> funding_components(c).index.tolist()
    ['Area Based Grant (2010-11)', 'Like-for-like central funding']
    """
    out = components.rename(index=FUNDING_COMPONENT_LABELS)
    out.index.name = "component"
    return out


def funding_sensitivity(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """Report 10's answers with each of the suite's estimates left out or halved.

    Parameters
    ----------
    sensitivity : DataFrame
        :func:`sharedservices.model.national.central_funding_sensitivity`.

    Returns
    -------
    DataFrame
        Index ``estimate``, ``variant``; England's real change to 2014-15 and 2017-18 (%),
        the front-loading index of England's total, the median council's index and the
        number of councils more front-loaded than the plans and with no net cut.

    Examples
    --------
    >>> s = pd.DataFrame({"component": ["none", "area_based_grant"], "variant": ["published", "left out"],
    ...     "change_2014_15_pct": [-30.0, -25.0], "change_2017_18_pct": [-50.0, -48.0], "england_index": [0.1, 0.2],
    ...     "median_index": [0.05, 0.1], "more_front_loaded_than_sr2010": [3, 9], "no_net_cut": [0, 1]})
    >>> funding_sensitivity(s).index.tolist()[1]
    ('Area Based Grant (2010-11)', 'left out')
    """
    out = sensitivity.copy()
    out["estimate"] = out["component"].map(lambda c: FUNDING_COMPONENT_LABELS.get(c, c))
    return out.set_index(["estimate", "variant"]).drop(columns=["component"])


def funding_reconciliation(rec: pd.DataFrame) -> pd.DataFrame:
    """The published national estimates beside the suite's measure, for display.

    Examples
    --------
    >>> r = pd.DataFrame({"key": ["k"], "estimate": ["NAO"], "period": ["2010-11 to 2014-15"], "basis": ["real"],
    ...     "published_pct": [-28.0], "suite_pct": [-29.0], "difference_points": [-1.0], "differences": ["x"]})
    >>> funding_reconciliation(r).columns.tolist()
    ['period', 'basis', 'published_pct', 'suite_pct', 'difference_points', 'differences in definition']
    """
    cols = ["period", "basis", "published_pct", "suite_pct", "difference_points", "suite_with_new_duties_pct",
            "differences"]
    out = rec.set_index("estimate")[[c for c in cols if c in rec.columns]]
    return out.rename(columns={"differences": "differences in definition"})


def plans_against_outturn(sr_ratio: npt.ArrayLike, england_real: Mapping[str, float], cut_years: int,
                          lg_del_ratio: npt.ArrayLike | None = None) -> pd.DataFrame:
    """The SR2010 plans' cut so far against England's like-for-like cut, year by year.

    Parameters
    ----------
    sr_ratio : array_like
        Real SR2010 formula grant relative to 2010-11 (1.0 in year 0).
    england_real : mapping
        Year -> England's like-for-like real change from 2010-11, % (negative for a fall).
    cut_years : int
    lg_del_ratio : array_like, optional
        The plans for the whole local government DEL (formula grant with the freeze grant
        and other grants), real, relative to 2010-11: adds ``lg_del_plans_cut_pct_of_2010_11``
        and its share of the final cut.

    Returns
    -------
    DataFrame
        Index ``year``; ``plans_cut_pct_of_2010_11``, ``outturn_cut_pct_of_2010_11`` and
        ``share_of_final_cut_plans_pct`` / ``_outturn_pct`` (how much of the cut to the last
        year had come by each year).

    Examples
    --------
    >>> plans_against_outturn([1.0, 0.8, 0.7], {"2011-12": -10.0, "2012-13": -30.0}, 2)["outturn_cut_pct_of_2010_11"].tolist()
    [10.0, 30.0]
    """
    r = np.asarray(sr_ratio, dtype=float)
    years = [cuts.fy_label(t) for t in range(1, int(cut_years) + 1)]
    plans = [100.0 * (1.0 - r[t]) for t in range(1, int(cut_years) + 1)]
    outturn = [-float(england_real[y]) for y in years]
    out = pd.DataFrame({"plans_cut_pct_of_2010_11": plans, "outturn_cut_pct_of_2010_11": outturn},
                       index=pd.Index(years, name="year"))
    out["share_of_final_cut_plans_pct"] = 100.0 * out["plans_cut_pct_of_2010_11"] / plans[-1]
    out["share_of_final_cut_outturn_pct"] = 100.0 * out["outturn_cut_pct_of_2010_11"] / outturn[-1]
    if lg_del_ratio is not None:
        d = np.asarray(lg_del_ratio, dtype=float)
        lg = [100.0 * (1.0 - d[t]) for t in range(1, int(cut_years) + 1)]
        out.insert(1, "lg_del_plans_cut_pct_of_2010_11", lg)
        out["share_of_final_cut_lg_del_plans_pct"] = 100.0 * out["lg_del_plans_cut_pct_of_2010_11"] / lg[-1]
    return out
