"""Tables for reports: pure functions, DataFrame in, DataFrame out, no I/O.

Money columns say their unit in the name (``gbp_bn``, ``gbp_m``, ``gbp_per_head``); all
values from the RS workbooks are cash (nominal) unless a name says otherwise.
"""

from __future__ import annotations

import pandas as pd

from sharedservices.report.names import SERVICE_LABELS  # re-exported: one place for the names

#: Services shown in England totals and service mix, in workbook order.
SERVICE_LINES: tuple[str, ...] = (
    "education", "highways_transport", "social_care", "childrens_social_care",
    "adult_social_care", "public_health", "housing", "cultural", "environmental_regulatory",
    "planning_development", "police", "fire", "central", "other",
)
CLASS_ORDER: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L", "O")


__all__ = ['SERVICE_LABELS', 'coverage', 'england_check', 'england_by_service', 'service_mix', 'per_head', 'usable_reserves', 'population_coverage', 'largest_line_by_class', 'median_by_class', 'overview_numbers', 'source_files']

def coverage(spending: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """Authorities per year and class, and how many were not collected.

    Parameters
    ----------
    spending : DataFrame
        Long table ``ecode, year, service, gbp_thousand, status``.
    councils : DataFrame
        ``ecode, class`` at least.

    Returns
    -------
    DataFrame
        Index ``year``; one column per class, ``total`` and ``not_collected`` (counts of
        authorities).

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": ["A", "B", "A"], "year": ["2010-11", "2010-11", "2011-12"],
    ...     "service": "education", "gbp_thousand": [1.0, None, 2.0],
    ...     "status": ["reported", "not_collected", "reported"]})
    >>> c = pd.DataFrame({"ecode": ["A", "B"], "class": ["UA", "SD"]})
    >>> coverage(s, c).loc["2010-11"].to_dict()
    {'SD': 1, 'UA': 1, 'total': 2, 'not_collected': 1}
    """
    df = spending.merge(councils[["ecode", "class"]], on="ecode", how="left")
    auth = df.drop_duplicates(["ecode", "year"])
    table = auth.groupby(["year", "class"]).size().unstack("class", fill_value=0)
    table = table[[c for c in CLASS_ORDER if c in table.columns]]
    table["total"] = table.sum(axis=1)
    missing = df[df["status"] != "reported"].drop_duplicates(["ecode", "year"]).groupby("year").size()
    table["not_collected"] = missing.reindex(table.index, fill_value=0)
    table.columns.name = None
    return table.astype("int64")


def england_check(spending: pd.DataFrame, england: pd.DataFrame) -> pd.DataFrame:
    """England totals by service and year beside the workbooks' printed ENGLAND rows.

    Returns
    -------
    DataFrame
        Columns ``year, service, sum_gbp_bn`` (sum over authorities in the table),
        ``published_gbp_bn`` (ENGLAND row), ``difference_gbp_m`` (published minus sum),
        £, cash.  Rows for the service lines, total service expenditure and net current
        expenditure.

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": ["A", "B"], "year": "2010-11", "service": "fire",
    ...                   "gbp_thousand": [1e6, 2e6], "status": "reported"})
    >>> e = pd.DataFrame({"year": ["2010-11"], "line": ["fire"], "gbp_thousand": [3.5e6]})
    >>> england_check(s, e).iloc[0].to_dict()
    {'year': '2010-11', 'service': 'fire', 'sum_gbp_bn': 3.0, 'published_gbp_bn': 3.5, 'difference_gbp_m': 500.0}
    """
    sums = spending.groupby(["year", "service"], as_index=False)["gbp_thousand"].sum()
    pub = england.rename(columns={"line": "service", "gbp_thousand": "published"})
    out = sums.merge(pub, on=["year", "service"], how="inner")
    order = {s: i for i, s in enumerate((*SERVICE_LINES, "total_service_expenditure", "net_current_expenditure"))}
    out = out[out["service"].isin(order)]
    out = out.assign(o=out["service"].map(order)).sort_values(["year", "o"]).drop(columns="o")
    return pd.DataFrame(
        {
            "year": out["year"].to_numpy(),
            "service": out["service"].to_numpy(),
            "sum_gbp_bn": (out["gbp_thousand"] / 1e6).to_numpy(),
            "published_gbp_bn": (out["published"] / 1e6).to_numpy(),
            "difference_gbp_m": ((out["published"] - out["gbp_thousand"]) / 1e3).round(6).to_numpy(),
        }
    )


def england_by_service(spending: pd.DataFrame) -> pd.DataFrame:
    """England net current expenditure by service and year, £bn cash (wide).

    Returns
    -------
    DataFrame
        Index service slug (workbook order), one column per year; NaN where the year
        does not have the line.

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": ["A", "B"], "year": ["2010-11", "2011-12"],
    ...                   "service": "fire", "gbp_thousand": [1e6, 2e6], "status": "reported"})
    >>> england_by_service(s).loc["fire"].tolist()
    [1.0, 2.0]
    """
    t = spending.pivot_table(index="service", columns="year", values="gbp_thousand", aggfunc="sum") / 1e6
    order = [s for s in (*SERVICE_LINES, "total_service_expenditure", "net_current_expenditure") if s in t.index]
    t = t.loc[order]
    t.columns.name = None
    t.index.name = "service"
    return t


def service_mix(spending: pd.DataFrame, councils: pd.DataFrame, year: str) -> pd.DataFrame:
    """Each class's spending by service as a percentage of its total service expenditure.

    Returns
    -------
    DataFrame
        Index class (principal classes), columns service slugs present in ``year``;
        values in per cent of the class's total service expenditure (rows sum to 100).

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": ["A", "A", "A"], "year": "2014-15",
    ...     "service": ["education", "fire", "total_service_expenditure"],
    ...     "gbp_thousand": [30.0, 10.0, 40.0], "status": "reported"})
    >>> c = pd.DataFrame({"ecode": ["A"], "class": ["UA"]})
    >>> service_mix(s, c, "2014-15").loc["UA"].to_dict()
    {'education': 75.0, 'fire': 25.0}
    """
    df = spending[spending["year"] == year].merge(councils[["ecode", "class"]], on="ecode")
    df = df[df["class"] != "O"]
    wide = df.pivot_table(index="class", columns="service", values="gbp_thousand", aggfunc="sum")
    tse = wide["total_service_expenditure"]
    cols = [s for s in SERVICE_LINES if s in wide.columns]
    out = wide[cols].div(tse, axis=0) * 100
    out = out.loc[[c for c in CLASS_ORDER if c in out.index]]
    out.columns.name = None
    return out


def per_head(spending: pd.DataFrame, councils: pd.DataFrame, year: str,
             line: str = "net_current_expenditure") -> pd.DataFrame:
    """Spending per resident for each principal council with a population.

    Returns
    -------
    DataFrame
        ``ecode, name, class, gbp_thousand, population_2011, gbp_per_head`` (£ per
        resident, cash, Census 2011 population).  Shire counties and districts split one
        area's services between two tiers, so compare within a class, not across.

    Examples
    --------
    >>> s = pd.DataFrame({"ecode": ["A"], "year": "2014-15",
    ...     "service": "net_current_expenditure", "gbp_thousand": [500.0], "status": "reported"})
    >>> c = pd.DataFrame({"ecode": ["A"], "name": ["Town"], "class": ["UA"],
    ...     "population_2011": [1000.0], "principal": [True]})
    >>> per_head(s, c, "2014-15")["gbp_per_head"].tolist()
    [500.0]
    """
    s = spending[(spending["year"] == year) & (spending["service"] == line)]
    c = councils[councils["principal"] & councils["population_2011"].notna()]
    df = c[["ecode", "name", "class", "population_2011"]].merge(s[["ecode", "gbp_thousand"]], on="ecode")
    df = df[df["gbp_thousand"].notna()]
    df = df.assign(gbp_per_head=df["gbp_thousand"] * 1e3 / df["population_2011"])
    return df[["ecode", "name", "class", "gbp_thousand", "population_2011", "gbp_per_head"]].reset_index(drop=True)


def usable_reserves(finance: pd.DataFrame, councils: pd.DataFrame, year: str) -> pd.DataFrame:
    """Usable reserves (earmarked plus unallocated) of each principal council, in £ thousand
    and as a percentage of its net revenue expenditure.

    Returns
    -------
    DataFrame
        ``ecode, name, class, reserves_usable_gbp_thousand,
        net_revenue_expenditure_gbp_thousand, reserves_pct_of_nre``; councils with missing
        values or non-positive net revenue expenditure are left out.

    Examples
    --------
    >>> f = pd.DataFrame({"ecode": "A", "year": "2014-15",
    ...     "item": ["reserves_earmarked", "reserves_unallocated", "net_revenue_expenditure"],
    ...     "gbp_thousand": [20.0, 5.0, 100.0], "status": "reported"})
    >>> c = pd.DataFrame({"ecode": ["A"], "name": ["Town"], "class": ["UA"], "principal": [True]})
    >>> usable_reserves(f, c, "2014-15")["reserves_pct_of_nre"].tolist()
    [25.0]
    """
    f = finance[finance["year"] == year]
    wide = f.pivot_table(index="ecode", columns="item", values="gbp_thousand", aggfunc="sum", dropna=False)
    usable = wide["reserves_earmarked"] + wide["reserves_unallocated"]
    nre = wide["net_revenue_expenditure"]
    df = pd.DataFrame({"reserves_usable_gbp_thousand": usable, "net_revenue_expenditure_gbp_thousand": nre})
    df = df.reset_index().merge(councils.loc[councils["principal"], ["ecode", "name", "class"]], on="ecode")
    df = df[df["reserves_usable_gbp_thousand"].notna() & (df["net_revenue_expenditure_gbp_thousand"] > 0)]
    df = df.assign(reserves_pct_of_nre=df["reserves_usable_gbp_thousand"] / df["net_revenue_expenditure_gbp_thousand"] * 100)
    return df[["ecode", "name", "class", "reserves_usable_gbp_thousand",
               "net_revenue_expenditure_gbp_thousand", "reserves_pct_of_nre"]].reset_index(drop=True)


def population_coverage(councils: pd.DataFrame) -> pd.DataFrame:
    """Principal councils per class with and without a Census 2011 population.

    Returns
    -------
    DataFrame
        Index class; ``councils``, ``with_population``, ``without_population``,
        ``population_m`` (millions of residents covered, Census 2011).

    Examples
    --------
    >>> c = pd.DataFrame({"class": ["SD", "SD"], "principal": [True, True],
    ...                   "population_2011": [1e5, None]})
    >>> population_coverage(c).loc["SD"].tolist()
    [2.0, 1.0, 1.0, 0.1]
    """
    p = councils[councils["principal"]]
    g = p.groupby("class")["population_2011"]
    out = pd.DataFrame(
        {
            "councils": g.size(),
            "with_population": g.count(),
            "without_population": g.size() - g.count(),
            "population_m": g.sum() / 1e6,
        }
    )
    out = out.loc[[c for c in CLASS_ORDER if c in out.index]]
    out.index.name = "class"
    return out


def largest_line_by_class(mix: pd.DataFrame) -> pd.Series:
    """The service with the largest share for each class (from :func:`service_mix`).

    Examples
    --------
    >>> mix = pd.DataFrame({"education": [75.0, 0.0], "central": [5.0, 30.0]},
    ...                    index=pd.Index(["UA", "SD"], name="class"))
    >>> largest_line_by_class(mix).to_dict()
    {'UA': 'education', 'SD': 'central'}
    """
    return mix.idxmax(axis=1)


def median_by_class(df: pd.DataFrame, column: str) -> pd.Series:
    """Median of ``column`` per class, in house class order.

    Examples
    --------
    >>> df = pd.DataFrame({"class": ["L", "SC", "L"], "v": [1.0, 5.0, 3.0]})
    >>> median_by_class(df, "v").to_dict()
    {'SC': 5.0, 'L': 2.0}
    """
    m = df.groupby("class")[column].median()
    return m.loc[[c for c in CLASS_ORDER if c in m.index]]


#: Base year (year 0, before the cuts) and last year of the Spending Review period.
BASE_YEAR = "2010-11"
SR_END_YEAR = "2014-15"


def overview_numbers(spending: pd.DataFrame, finance: pd.DataFrame, councils: pd.DataFrame,
                     england: pd.DataFrame, year: str) -> dict[str, object]:
    """The numbers the data overview's key findings and figure titles quote.

    Parameters
    ----------
    spending, finance, councils, england : DataFrame
        The processed tables (:mod:`sharedservices.inputs.data`).
    year : str
        The year for the distributions (per head, reserves).

    Returns
    -------
    dict
        ``nce_base_gbp_bn`` and ``nce_sr_end_gbp_bn`` (England net current expenditure,
        £bn cash, in :data:`BASE_YEAR` and :data:`SR_END_YEAR`), ``nce_change_pct``,
        ``education_change_pct``, ``social_care_change_pct`` (adult plus children's against
        2010-11 social care), ``largest_service`` and its ``largest_share_pct`` of total
        service expenditure in ``year``, ``exact_years`` and ``years`` (how many workbooks'
        rows add up exactly to their ENGLAND rows, of how many), ``shortfall_year``,
        ``shortfall_gbp_m`` (£m cash, net current expenditure), ``authorities_min``,
        ``authorities_max``, ``per_head_median`` (£ per resident by class, ``year``),
        ``reserves_median_pct`` (median usable reserves as % of net revenue expenditure,
        principal councils, ``year``), ``reserves_total_gbp_bn``, ``with_population``,
        ``principal_councils``.
    """
    chk = england_check(spending, england)
    nce = chk[chk["service"] == "net_current_expenditure"].set_index("year")
    exact = chk.groupby("year")["difference_gbp_m"].apply(lambda d: bool((d == 0).all()))
    edu = chk[chk["service"] == "education"].set_index("year")["sum_gbp_bn"]
    byservice = england_by_service(spending)
    social_base = byservice.loc["social_care", BASE_YEAR]
    social_end = byservice.loc[["childrens_social_care", "adult_social_care"], SR_END_YEAR].sum()
    short = nce[nce["difference_gbp_m"] != 0]
    tse = byservice.loc["total_service_expenditure", year]
    lines = byservice.loc[[s for s in SERVICE_LINES if s in byservice.index], year].dropna()
    auth = spending.drop_duplicates(["ecode", "year"]).groupby("year").size()
    ph = per_head(spending, councils, year)
    res = usable_reserves(finance, councils, year)
    principal = councils[councils["principal"]]
    return {
        "base_year": BASE_YEAR,
        "sr_end_year": SR_END_YEAR,
        "year": year,
        "nce_base_gbp_bn": float(nce.loc[BASE_YEAR, "sum_gbp_bn"]),
        "nce_sr_end_gbp_bn": float(nce.loc[SR_END_YEAR, "sum_gbp_bn"]),
        "nce_change_pct": float((nce.loc[SR_END_YEAR, "sum_gbp_bn"] / nce.loc[BASE_YEAR, "sum_gbp_bn"] - 1) * 100),
        "education_change_pct": float((edu[SR_END_YEAR] / edu[BASE_YEAR] - 1) * 100),
        "social_care_change_pct": float((social_end / social_base - 1) * 100),
        "largest_service": str(lines.idxmax()),
        "largest_share_pct": float(lines.max() / tse * 100),
        "exact_years": int(exact.sum()),
        "years": int(len(exact)),
        "shortfall_year": str(short.index[0]) if len(short) else "",
        "shortfall_gbp_m": float(short["difference_gbp_m"].iloc[0]) if len(short) else 0.0,
        "authorities_min": int(auth.min()),
        "authorities_max": int(auth.max()),
        "per_head_median": {k: float(v) for k, v in median_by_class(ph, "gbp_per_head").items()},
        "reserves_median_pct": float(res["reserves_pct_of_nre"].median()),
        "reserves_total_gbp_bn": float(res["reserves_usable_gbp_thousand"].sum() / 1e6),
        "with_population": int(principal["population_2011"].notna().sum()),
        "principal_councils": int(len(principal)),
    }


def _file_period(path: str) -> str:
    """What a raw file without a recorded year covers, from its folder.

    >>> _file_period("population/census.csv"), _file_period("prices/hmt_gdp_deflator.csv"), _file_period("x.csv")
    ('Census 2011 and 2021', 'calendar years', '—')
    """
    head = path.split("/", 1)[0].lower()
    return {"census": "Census 2011", "population": "Census 2011 and 2021", "prices": "calendar years"}.get(head, "\u2014")


def source_files(sources: dict[str, object]) -> pd.DataFrame:
    """The raw files behind the tables, from the importer's ``sources.json``: each file's
    year as recorded, else what its folder says it covers (Census populations, the
    deflator's calendar years), else "—".

    Examples
    --------
    >>> source_files({"files": [{"path": "a.xls", "year": "2010-11", "sha256": "ab"}]})
    ... # doctest: +NORMALIZE_WHITESPACE
          file     year sha256
    0    a.xls  2010-11     ab
    """
    rows = [
        {"file": f["path"], "year": f.get("year") or _file_period(str(f["path"])), "sha256": f["sha256"]}
        for f in sources["files"]  # type: ignore[union-attr]
    ]
    return pd.DataFrame(rows, columns=["file", "year", "sha256"])
