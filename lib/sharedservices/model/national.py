"""National views for the national reports (10 front-loading, 20 savings potential).

The model works one council at a time (:mod:`sharedservices.model.scenario`); this module runs
it over every principal council of a class and returns long or wide tables for
:mod:`sharedservices.report.tables`.  It reads the processed data through
:mod:`sharedservices.inputs.data` and :mod:`sharedservices.model.scenario` (both cached) and
computes nothing new: central funding comes from
:func:`sharedservices.model.scenario.council_inputs`, savings from
:func:`sharedservices.model.programmes.programme_arrays` and
:func:`~sharedservices.model.programmes.steady_state_saving`.

Conventions: money in £ thousand, real 2010-11 prices (GDP deflator,
``prices.gdp_deflator``) unless a function is asked for cash; savings positive; every
share names its basis (``_share_of_tse``: total service expenditure, the basis of NLGN's
1.8 % / 3.6 % and of "close to 10 %"; ``_share_of_core_spending``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from sharedservices.errors import InputError
from sharedservices.inputs import assumptions, data, paths
from sharedservices.inputs.importers import central_funding as cf
from sharedservices.model import cited, cuts, gap, programmes, scenario

__all__ = [
    "CLASSES",
    "DATA_YEARS",
    "central_funding_components",
    "central_funding_sensitivity",
    "deflator",
    "england_front_loading_index",
    "england_real_change",
    "england_real_path",
    "funding_paths",
    "funding_rises",
    "front_loading_table",
    "reconciliation",
    "weak_comparisons",
    "principal_councils",
    "red_citations",
    "savings_potential",
    "savings_potential_all",
    "service_spend",
    "spending_long",
]

#: Classes of principal council, upper tier first.
CLASSES: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L")
#: Financial years in the data (2015-16 and 2016-17 were not collected in the RS files used).
DATA_YEARS: tuple[str, ...] = ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18")


def deflator() -> dict[str, float]:
    """The GDP deflator by financial year (``prices.gdp_deflator``, 2010-11 = 100)."""
    return dict(cited.deflator())


def principal_councils(council_class: str = "all") -> pd.DataFrame:
    """Principal councils, optionally of one class: ``ecode, name, class, region``.

    Parameters
    ----------
    council_class : {"all", "SC", "SD", "UA", "MD", "L"}

    Raises
    ------
    InputError
        Unknown class.
    """

    if council_class != "all" and council_class not in CLASSES:
        raise InputError(f"council_class: {council_class!r} (allowed: all, {', '.join(CLASSES)})")
    c = data.councils()
    c = c[c["principal"].astype(bool) & c["class"].isin(CLASSES)]
    if council_class != "all":
        c = c[c["class"] == council_class]
    return c[["ecode", "name", "class", "region"]].reset_index(drop=True)


def funding_paths(codes: Iterable[str], *, real: bool = True) -> pd.DataFrame:
    """Each council's like-for-like central funding in every data year.

    Parameters
    ----------
    codes : iterable of str
        RS codes.
    real : bool
        2010-11 prices (default) or cash.

    Returns
    -------
    DataFrame
        Long: ``ecode, year, gbp_thousand`` for the years of :data:`DATA_YEARS` (the
        interpolated 2015-16 and 2016-17 of the model path are left out).
    """

    dfl = deflator()
    rows = []
    for code in codes:
        f = scenario.council_inputs(code).actual_funding
        for y in DATA_YEARS:
            t = cuts.year_index(y)
            if t < f.size:
                v = float(f[t]) if real else float(f[t]) * dfl[y] / dfl[cuts.BASE_YEAR]
                rows.append((code, y, v))
    return pd.DataFrame(rows, columns=["ecode", "year", "gbp_thousand"])


def _real_funding_table() -> pd.DataFrame:
    """``central_funding.csv`` with every money column in 2010-11 prices."""

    t = data.central_funding()
    d = deflator()
    factor = d[cuts.BASE_YEAR] / t["year"].map(d)
    money = [c for c in data.CENTRAL_FUNDING_MONEY if c in t.columns]
    t[money] = t[money].mul(factor, axis=0)
    return t


def england_real_change(table: pd.DataFrame | None = None, year: str = "2014-15",
                        drop: Iterable[str] = ()) -> float:
    """England's principal councils' like-for-like central funding in ``year``, real, as a
    % change on 2010-11 (negative for a fall).

    Parameters
    ----------
    table : DataFrame, optional
        Real ``central_funding`` rows (default: the processed table, deflated).
    year : str
    drop : iterable of str
        Components to leave out (a sensitivity: the measure without that adjustment).

    Examples
    --------
    >>> -40 < england_real_change() < -20
    True
    """
    t = _real_funding_table() if table is None else table
    drop = list(drop)
    total = t["gbp_thousand"] - (t[drop].sum(axis=1) if drop else 0.0)
    ok = t["status"] == "reported"
    by = total[ok].groupby(t.loc[ok, "year"]).sum()
    if year not in by.index:
        raise InputError(f"year: {year!r} (allowed: {', '.join(by.index)})")
    return 100.0 * (float(by[year]) / float(by[cuts.BASE_YEAR]) - 1.0)


def england_real_path() -> dict[str, float]:
    """England's like-for-like real change from 2010-11, % (negative for a fall), by data year.

    Examples
    --------
    >>> p = england_real_path()
    >>> p["2010-11"], p["2014-15"] < p["2011-12"] < 0
    (0.0, True)
    """
    t = _real_funding_table()
    years = sorted(set(t["year"]), key=cuts.year_index)
    return {y: england_real_change(t, y) for y in years}


def central_funding_components(councils: Iterable[str] | None = None) -> pd.DataFrame:
    """What the like-for-like measure contains: each component summed over the councils,
    by year, £m in 2010-11 prices (signed contributions; they add up to the total).

    Returns
    -------
    DataFrame
        Index component (``gbp_thousand`` last, as ``total``), columns the data years.
    """

    t = _real_funding_table()
    if councils is not None:
        t = t[t["ecode"].isin(list(councils))]
    cols = [*cf.COMPONENTS, "gbp_thousand"]
    out = t.groupby("year")[cols].sum().T / 1e3
    out = out.loc[(out.abs() > 1e-9).any(axis=1)]
    out.index = [("total" if c == "gbp_thousand" else c) for c in out.index]
    out.index.name = "component"
    out.columns.name = None
    return out


def funding_rises() -> pd.DataFrame:
    """The data check: councils whose like-for-like real funding rose by more than the
    stated tolerance (``central_funding.rise_tolerance_share_of_2010_11``) between two data
    years in which England's fell (:func:`sharedservices.inputs.importers.central_funding.real_rises`).

    Cached per version of the processed table (a batch asks once per council)."""

    f = paths.processed_dir() / "central_funding.csv"
    st = f.stat() if f.is_file() else None
    return _funding_rises(str(f), None if st is None else (st.st_mtime_ns, st.st_size)).copy()


@assumptions.cached
def _funding_rises(path: str, stamp: tuple[int, int] | None) -> pd.DataFrame:

    tol = float(assumptions.value("central_funding.rise_tolerance_share_of_2010_11"))
    return cf.real_rises(data.central_funding(), deflator(), tol, data.councils())


def weak_comparisons(last_year: str = "2014-15") -> pd.DataFrame:
    """Councils whose like-for-like comparison over the Spending Review period is weak: the
    rise check lists them for a year up to ``last_year``.  They are left out of the
    national front-loading index and their payback reports say so.

    Returns
    -------
    DataFrame
        ``ecode, name, class, years, driver`` (one row per council; ``years`` and
        ``driver`` join every listed case).
    """
    r = funding_rises()
    r = r[r["to_year"].map(cuts.year_index) <= cuts.year_index(last_year)]
    if r.empty:
        return pd.DataFrame(columns=["ecode", "name", "class", "years", "driver"])
    g = r.groupby(["ecode", "name", "class"], sort=False)
    out = g.agg(years=("to_year", lambda s: ", ".join(f"{y}" for y in s)),
                driver=("driver", lambda s: ", ".join(dict.fromkeys(s))))
    return out.reset_index()


def front_loading_table(codes: Iterable[str]) -> pd.DataFrame:
    """:func:`sharedservices.model.scenario.front_loading_table` with ``weak_comparison`` (bool):
    the councils :func:`weak_comparisons` lists, left out of the national index."""

    flt = scenario.front_loading_table(list(codes))
    weak = set(weak_comparisons()["ecode"])
    flt["weak_comparison"] = flt["ecode"].isin(weak)
    return flt


def _front_loading(real_wide: pd.DataFrame, n: int = 4) -> pd.Series:
    """Each council's front-loading index from its real funding by year (NaN: no net cut)."""
    years = [cuts.fy_label(t) for t in range(n + 1)]
    f = real_wide[years].to_numpy(dtype=float)
    out = [cuts.front_loading_index(row[0] - row[1:]) for row in f]
    return pd.Series([np.nan if v is None else v for v in out], index=real_wide.index)


def england_front_loading_index(table: pd.DataFrame | None = None) -> float | None:
    """Front-loading index of England's summed like-for-like real funding, 2011-12 to 2014-15.

    Examples
    --------
    >>> bool(0 < england_front_loading_index() < 1)
    True
    """
    t = _real_funding_table() if table is None else table
    ok = t["status"] == "reported"
    by = t.loc[ok].groupby("year")["gbp_thousand"].sum()
    return float(_front_loading(by.to_frame().T).iloc[0]) if by.size else None


def central_funding_sensitivity() -> pd.DataFrame:
    """How far each of the suite's estimates moves report 10's answers.

    Every estimated component is left out, then halved, one at a time; for each variant the
    national figures are recomputed: England's real change to 2014-15 and 2017-18, the
    front-loading index of England's total, and over the councils with a like-for-like
    comparison (the weak comparisons of the published measure left out) the median index,
    the number more front-loaded than the SR2010 plans and the number with no net cut.

    Returns
    -------
    DataFrame
        One row per variant: ``component`` (``none`` = the measure as published),
        ``variant`` (``published``, ``left out``, ``halved``), ``change_2014_15_pct``,
        ``change_2017_18_pct``, ``england_index``, ``median_index``,
        ``more_front_loaded_than_sr2010`` and ``no_net_cut``.
    """

    t = _real_funding_table()
    ok = t["status"] == "reported"
    weak = set(weak_comparisons()["ecode"])
    sr_index = scenario.sr2010_front_loading_index()
    rows = []
    variants = [("none", "published", 1.0)]
    for c in cf.ESTIMATED:
        if t[c].abs().any():
            variants += [(c, "left out", 0.0), (c, "halved", 0.5)]
    for comp, label, keep in variants:
        total = t["gbp_thousand"] - ((1.0 - keep) * t[comp] if comp != "none" else 0.0)
        v = t.assign(gbp_thousand=total)
        by = v.loc[ok].groupby("year")["gbp_thousand"].sum()
        wide = v.loc[ok].pivot(index="ecode", columns="year", values="gbp_thousand")
        fli = _front_loading(wide.drop(index=[c for c in weak if c in wide.index]))
        rows.append({
            "component": comp, "variant": label,
            "change_2014_15_pct": 100.0 * (by["2014-15"] / by[cuts.BASE_YEAR] - 1.0),
            "change_2017_18_pct": 100.0 * (by["2017-18"] / by[cuts.BASE_YEAR] - 1.0),
            "england_index": _front_loading(by.to_frame().T).iloc[0],
            "median_index": float(fli.median()),
            "more_front_loaded_than_sr2010": int((fli > sr_index).sum()),
            "no_net_cut": int(fli.isna().sum()),
        })
    return pd.DataFrame(rows)


def reconciliation() -> pd.DataFrame:
    """England's like-for-like change set against the published national estimates.

    Every estimate in ``data/assumptions/national_estimates.yaml`` gives a period, a
    basis (real or cash) and a change; the suite's figure is computed for the same
    period and basis where the data have both years.

    Returns
    -------
    DataFrame
        ``key, estimate`` (the source's title), ``period``, ``basis``, ``published_pct``,
        ``suite_pct`` (None where the data lack a year), ``difference_points`` (suite
        minus published), ``suite_with_new_duties_pct`` (the suite's figure with council tax
        support and the learning-disability transfer counted as central funding, as an
        estimate that does not take them out would), ``differences`` (the definitions
        that differ, from the note).

    Examples
    --------
    >>> r = reconciliation().set_index("key")
    >>> bool(pd.isna(r.loc["national_estimates.nao_2014_to_2015_16", "suite_pct"]))
    True
    """

    real = _real_funding_table()
    cash = data.central_funding()
    rows = []
    for key, a in assumptions.matching("national_estimates.").items():
        v = a.value
        start, end = str(v["from"]), str(v["to"])
        basis = str(v.get("basis", "real"))
        t = real if basis == "real" else cash
        ok = t["status"] == "reported"
        by = t.loc[ok].groupby("year")["gbp_thousand"].sum()
        suite = None
        if start in by.index and end in by.index:
            suite = 100.0 * (float(by[end]) / float(by[start]) - 1.0)
        alt = None
        if start in by.index and end in by.index:
            duties = t.loc[ok, "gbp_thousand"] - t.loc[ok, "council_tax_support_estimate"] \
                - t.loc[ok, "learning_disability_grant_estimate"]
            by_alt = duties.groupby(t.loc[ok, "year"]).sum()
            alt = 100.0 * (float(by_alt[end]) / float(by_alt[start]) - 1.0)
        published = 100.0 * float(v["change"])
        rows.append({"key": key, "estimate": a.source_title, "period": f"{start} to {end}", "basis": basis,
                     "published_pct": published, "suite_pct": suite,
                     "difference_points": None if suite is None else suite - published,
                     "suite_with_new_duties_pct": alt,
                     "differences": " ".join(str(a.note or "").split())})
    return pd.DataFrame(rows)


def spending_long(*, real: bool = True) -> pd.DataFrame:
    """The processed ``spending`` table, deflated to 2010-11 prices if ``real``."""

    s = data.spending()
    return cuts.deflate_long(s, deflator()) if real else s.copy()


def service_spend(codes: Iterable[str], year: str = cuts.BASE_YEAR) -> pd.DataFrame:
    """Each council's spend by model service in ``year``, real 2010-11 prices.

    For 2010-11 this is the model's own year-0 input (social care split into adult and
    children's by the council's 2011-12 shares, central services at their stable
    back-office base, :func:`sharedservices.model.scenario.council_inputs`);
    for later years the RS lines of that year, deflated.  Councils not collected that
    year are left out.

    Returns
    -------
    DataFrame
        Index ``ecode``; one column per service of :data:`sharedservices.model.programmes.SERVICES`,
        ``total_service_expenditure`` and ``core_spending`` (£ thousand, real).
    """

    codes = list(codes)
    t = cuts.year_index(year)
    if year == cuts.BASE_YEAR:
        rows = {}
        for code in codes:
            ci = scenario.council_inputs(code)
            rows[code] = {**{s: float(ci.programme_spend.get(s, 0.0)) for s in programmes.SERVICES},
                          "total_service_expenditure": ci.total_service_expenditure,
                          "core_spending": ci.core_spending}
        wide = pd.DataFrame.from_dict(rows, orient="index")
    else:
        if year not in DATA_YEARS:
            raise InputError(f"year: {year!r} (allowed: {', '.join(DATA_YEARS)})")
        w = data.spending_wide(year).reindex(codes)
        w = w[w["total_service_expenditure"].notna()]
        wide = pd.DataFrame({s: w[s].fillna(0.0) if s in w.columns else 0.0 for s in programmes.SERVICES},
                            index=w.index)
        wide["total_service_expenditure"] = w["total_service_expenditure"]
        wide = wide * (deflator()[cuts.BASE_YEAR] / deflator()[year])
    if year != cuts.BASE_YEAR:
        wide["core_spending"] = [gap.core_spending(r, t) for r in wide.to_dict("records")]
    wide.index.name = "ecode"
    return wide.astype(float)


def savings_potential(spend: pd.DataFrame, presets: Mapping[str, programmes.Programme],
                      savings_multiplier: float = 1.0) -> pd.DataFrame:
    """Steady-state annual saving of each programme for each council, and its shares.

    The full-rate saving once a programme has ramped up, before partnership failure and
    optimism bias (:func:`sharedservices.model.programmes.steady_state_saving`), with every
    service's cited savings rate times ``savings_multiplier``.

    Parameters
    ----------
    spend : DataFrame
        :func:`service_spend` (index ``ecode``; services, ``total_service_expenditure``,
        ``core_spending``; £ thousand).
    presets : mapping of str to Programme
        Programmes by name (:func:`sharedservices.model.cited.preset`).
    savings_multiplier : float
        Scales the cited savings rates, 0 to 10.

    Returns
    -------
    DataFrame
        Long, one row per council and programme: ``ecode, programme``,
        ``gross_gbp_thousand``, ``net_gbp_thousand`` (after running costs),
        ``gross_share_of_tse``, ``net_share_of_tse``, ``gross_share_of_core_spending``,
        ``net_share_of_core_spending`` (fractions; NaN where the basis is not positive).

    Examples
    --------
    >>> p = programmes.Programme("demo", (programmes.ServiceShare("central", 1.0, 0.1, 0.5, 1, 1, 0.02),))
    >>> s = pd.DataFrame({"central": [100.0], "total_service_expenditure": [1000.0],
    ...                   "core_spending": [500.0]}, index=pd.Index(["A"], name="ecode"))
    >>> savings_potential(s, {"demo": p})[["gross_share_of_tse", "net_share_of_core_spending"]].round(3).values.tolist()
    [[0.01, 0.016]]
    """
    if not (0.0 <= float(savings_multiplier) <= 10.0) or not np.isfinite(savings_multiplier):
        raise InputError(f"savings_multiplier: {savings_multiplier!r} (allowed: 0 to 10)")
    records = spend.to_dict("index")
    rows = []
    for name, prog in presets.items():
        for code, r in records.items():
            arrays = programmes.programme_arrays(prog, r)
            arrays = replace(arrays, savings_rate=arrays.savings_rate * savings_multiplier)
            ss = programmes.steady_state_saving(arrays)
            rows.append((code, name, ss["gross_gbp_thousand"], ss["net_gbp_thousand"],
                         r["total_service_expenditure"], r["core_spending"]))
    df = pd.DataFrame(rows, columns=["ecode", "programme", "gross_gbp_thousand", "net_gbp_thousand",
                                     "tse", "core"])
    tse = df["tse"].where(df["tse"] > 0)
    core = df["core"].where(df["core"] > 0)
    for kind in ("gross", "net"):
        df[f"{kind}_share_of_tse"] = df[f"{kind}_gbp_thousand"] / tse
        df[f"{kind}_share_of_core_spending"] = df[f"{kind}_gbp_thousand"] / core
    return df.drop(columns=["tse", "core"])


def savings_potential_all(year: str = cuts.BASE_YEAR, savings_multiplier: float = 1.0
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every principal council and its steady-state saving under every programme preset.

    Returns
    -------
    (DataFrame, DataFrame)
        :func:`principal_councils` and :func:`savings_potential` for the service mix of
        ``year`` (real 2010-11 prices) and the presets of ``programmes.yaml``.
    """
    councils = principal_councils("all")
    spend = service_spend(councils["ecode"], year)
    presets = {n: cited.preset(n) for n in cited.preset_names()}
    return councils, savings_potential(spend, presets, savings_multiplier)


def red_citations(keys: Iterable[str]) -> pd.DataFrame:
    """One-line citations of the red-rated assumptions among ``keys`` (for a report table).

    Returns
    -------
    DataFrame
        ``key, citation`` (:func:`sharedservices.inputs.assumptions.citation`), in the order given.
    """

    red = [k for k in keys if assumptions.get(k).quality == "red"]
    return pd.DataFrame({"key": red, "citation": [assumptions.citation(k) for k in red]})
