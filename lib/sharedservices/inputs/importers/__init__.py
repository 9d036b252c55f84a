"""Importer: official raw files -> checked, tidy, committed tables in ``data/processed``.

``python -m sharedservices data [--raw-dir DIR] [--strict]`` calls :func:`run_import`.
It reads the six DCLG Revenue Outturn Summary (RS) workbooks, the ONS census table and HM
Treasury's calendar-year GDP deflator from ``RAW_DIR``, checks them (headers, numbers,
duplicates, authority counts, sums against the printed ENGLAND and class rows; the
deflator against ``prices.gdp_deflator``) and writes, deterministically:

``councils.csv``
    ``ecode, ons_code, name, class, region, county, population_2011, population_source,
    principal``: one row per authority.
``codes.csv``
    ``code, code_type, ecode, name, first_year, last_year``: every RS and ONS code seen,
    mapped to the council's ``ecode`` (the RS code of the 2014-15 workbook).
``spending.csv``
    ``ecode, year, service, gbp_thousand, status``: net current expenditure, £ thousand,
    cash.
``finance.csv``
    ``ecode, year, item, gbp_thousand, status``: financing lines (income positive) and
    reserve levels, £ thousand, cash.
``england.csv``
    ``year, line, gbp_thousand``: the workbooks' printed ENGLAND rows for every stored line
    (income lines flipped like ``finance``), for comparison with sums of the tables.
``central_funding.csv``
    ``ecode, year, gbp_thousand`` and its components and flags: like-for-like central
    funding of every principal council (:mod:`sharedservices.inputs.importers.central_funding`),
    £ thousand, cash, built from the tables above and ``data/assumptions``.
``sources.json``
    sha256 of every raw file read, reserve dates, markers found, grossed rows, counts.

``status`` is ``reported`` or ``not_collected`` (a marker in the workbook; the value is
missing).  If ``data/README.md`` sits beside the output directory, its generated block
(between ``<!-- BEGIN GENERATED -->`` and ``<!-- END GENERATED -->``) is refreshed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from sharedservices.errors import DataError
from sharedservices.inputs import paths
from sharedservices.inputs.importers import central_funding, checks, population, prices
from sharedservices.inputs.importers.rs_outturn import (
    INCOME_ITEMS,
    YEARS,
    RsYear,
    expected_items,
    expected_services,
    read_rs_workbook,
)

__all__ = ["run_import", "KNOWN_SOURCES", "TABLE_COLUMNS", "sha256_of", "format_number"]

log = logging.getLogger(__name__)

#: The raw files the committed tables were built from: path under RAW_DIR -> sha256.
KNOWN_SOURCES: dict[str, str] = {
    "rs_outturn/Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls":
        "345f760190fc8b9ac17692af8e01ef713642643466cdd2861f9a97d2bbcaa9e5",
    "rs_outturn/Revenue_Outturn_Summary__RS__data_2011-12_by_LA_-_Revised_28-Nov-2013.xls":
        "10b7096c6801867a94f1417506a72b86b4bb797aac7360bc9b4f110c03cac441",
    "rs_outturn/Revenue_Outturn_Summary__RS__data_2012-13_by_LA__Revised__-_18-Feb-2014.xls":
        "a76533c2c7042ddcf0cfe8affedb7d95bb1b43b5076ecb6d19fba154566b27e6",
    "rs_outturn/Revenue_Outturn_Summary__RS__data_2013-14_by_LA_-_Revised_28-Jan-2015.xls":
        "e97b936f5b4c9ac6d206d0fe7569e64133b5a4a5c24013bf96e5e09816b1dc8f",
    "rs_outturn/Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls":
        "23bc7b4c709175795ffa89e11a637a925e3d51461e8a14bb198eece09506f3b1",
    "rs_outturn/RS_2017-18_data_by_LA.xlsx":
        "24225a1e7ecd03ea6e2efd6124722ff7f2fb93f9242ed9d0acbe30e18ddc8f00",
    "population/census_population_2011_2021_by_LAD2021_EW.csv":
        "53bc2fd807fa351a8391f47bbb7b362a74ac014cdaa52cc98d452d1d797693c3",
    "prices/hmt_gdp_deflator_calendar_years_dec2025.csv":
        "d31690f12c0fadd8b4c6accea66e6b3d959b6731a74fc0474e84557e0c419562",
}

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "councils": ("ecode", "ons_code", "name", "class", "region", "county",
                 "population_2011", "population_source", "principal"),
    "codes": ("code", "code_type", "ecode", "name", "first_year", "last_year"),
    "spending": ("ecode", "year", "service", "gbp_thousand", "status"),
    "finance": ("ecode", "year", "item", "gbp_thousand", "status"),
    "england": ("year", "line", "gbp_thousand"),
    "central_funding": central_funding.COLUMNS,
}

#: The year whose RS codes define ``ecode``.
BASE_YEAR = "2014-15"

_RS_GLOB = ("*.xls", "*.xlsx")
_CENSUS_GLOB = "census_population_*.csv"
_PRICES_GLOB = "hmt_gdp_deflator_calendar_years_*.csv"
_GENERATED = re.compile(r"(<!-- BEGIN GENERATED -->\n)(.*?)(<!-- END GENERATED -->)", re.S)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:16]
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def format_number(v: float) -> str:
    """Fixed text form of a number for the CSVs: whole numbers without decimals,
    others rounded to 6 decimal places with trailing zeros dropped, NaN as empty.

    Examples
    --------
    >>> [format_number(x) for x in (12.0, -0.0, 1.23456789, float("nan"), 2.5)]
    ['12', '0', '1.234568', '', '2.5']
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    r = round(float(v), 6)
    if r == 0:
        return "0"
    if r.is_integer():
        return str(int(r))
    return f"{r:.6f}".rstrip("0").rstrip(".")


def _police_key(name: str) -> str | None:
    m = re.match(r"^(.*?)\s+police( authority| and crime commissioner.*)$", name.strip(), re.I)
    return m.group(1).lower().replace("&", "and") if m else None


def _find_raw(raw_dir: Path) -> tuple[list[Path], Path, Path]:
    if not raw_dir.is_dir():
        raise DataError(f"raw directory: '{raw_dir}' does not exist (allowed: a directory holding rs_outturn/ and population/; set RAW_DIR or --raw-dir)")
    rs = sorted(p for g in _RS_GLOB for p in raw_dir.rglob(g) if not p.name.startswith("~$"))
    census = sorted(raw_dir.rglob(_CENSUS_GLOB))
    if not rs:
        raise DataError(f"raw directory: no RS workbooks (*.xls, *.xlsx) under '{raw_dir}' (see data/raw/README.md)")
    if len(census) != 1:
        raise DataError(
            f"raw directory: expected one census population file ({_CENSUS_GLOB}) under '{raw_dir}', "
            f"found {len(census)} (see data/raw/README.md)"
        )
    prices = sorted(raw_dir.rglob(_PRICES_GLOB))
    if len(prices) != 1:
        raise DataError(
            f"raw directory: expected one HM Treasury GDP deflator file ({_PRICES_GLOB}) under '{raw_dir}', "
            f"found {len(prices)} (see data/raw/README.md)"
        )
    return rs, census[0], prices[0]


def _checksums(files: list[Path], raw_dir: Path, strict: bool) -> list[dict[str, Any]]:
    out = []
    for p in files:
        rel = p.relative_to(raw_dir).as_posix()
        digest = sha256_of(p)
        known = KNOWN_SOURCES.get(rel)
        if known is None:
            known = next((v for k, v in KNOWN_SOURCES.items() if Path(k).name == p.name), None)
        if known != digest:
            msg = (
                f"{rel}: sha256 {digest[:12]}... differs from the copy the committed tables were built "
                f"from ({known[:12] + '...' if known else 'file name not known'}); official "
                "re-publications differ byte-wise, so the structure and totals checks decide"
            )
            if strict:
                raise DataError(msg + " (--strict)")
            warnings.warn(msg, stacklevel=3)
            log.warning(msg)
        out.append({"path": rel, "sha256": digest, "bytes": p.stat().st_size})
    return out


def build_tables(
    workbooks: dict[str, RsYear], census: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Turn checked workbooks and the census table into the four processed tables.

    Returns
    -------
    tables : dict of DataFrame
        ``councils``, ``codes``, ``spending``, ``finance`` with :data:`TABLE_COLUMNS`,
        sorted by key; numbers as floats (NaN where missing).
    facts : dict
        Counts and notes for ``england.csv``
    ``year, line, gbp_thousand``: the workbooks' printed ENGLAND rows for every stored line
    (income lines flipped like ``finance``), for comparison with sums of the tables.
``sources.json`` and the data log.
    """
    if BASE_YEAR not in workbooks:
        raise DataError(f"raw directory: the {BASE_YEAR} RS workbook is required (it defines the council codes)")
    base = workbooks[BASE_YEAR].authorities
    police_base = {_police_key(a["name"]): code for code, a in base.items() if _police_key(a["name"])}

    # Crosswalk: every (code, year) to an ecode.
    to_ecode: dict[str, str] = {}
    seen: dict[str, dict[str, Any]] = {}
    for year in sorted(workbooks, key=YEARS.index):
        for code, a in workbooks[year].authorities.items():
            if code in base:
                ecode = code
            elif (k := _police_key(a["name"])) and k in police_base:
                ecode = police_base[k]
            else:
                ecode = code
            if to_ecode.setdefault(code, ecode) != ecode:
                raise DataError(f"codes: {code} maps to both {to_ecode[code]} and {ecode}")
            s = seen.setdefault(code, {"code": code, "code_type": "rs", "ecode": ecode, "years": []})
            s["years"].append(year)
            s["name"] = a["name"]
            if a.get("ons_code"):
                o = seen.setdefault(a["ons_code"], {"code": a["ons_code"], "code_type": "ons", "ecode": ecode, "years": []})
                if o["ecode"] != ecode:
                    raise DataError(f"codes: ONS code {a['ons_code']} maps to both {o['ecode']} and {ecode}")
                o["years"].append(year)
                o["name"] = a["name"]

    # Councils: one row per ecode, described as in the latest workbook that has the code
    # itself (the 2014-15 one for every body that existed then).
    latest: dict[str, tuple[str, dict[str, Any]]] = {}
    for year in sorted(workbooks, key=YEARS.index):
        for code, a in workbooks[year].authorities.items():
            e = to_ecode[code]
            if code == e and (e not in latest or year == BASE_YEAR or latest[e][0] != BASE_YEAR):
                latest[e] = (year, a)
    for code, e in to_ecode.items():
        if e not in latest:
            raise DataError(f"codes: {code} maps to {e}, which no workbook lists")
    for e, (_, a) in latest.items():
        classes = {
            workbooks[y].authorities[c]["class"]
            for y in workbooks for c in workbooks[y].authorities if to_ecode[c] == e
        }
        if len(classes) != 1:
            raise DataError(f"councils: {e} ({a['name']}) changes class between years: {sorted(classes)}")
    sc_by_prefix = {e[:3]: e for e, (_, a) in latest.items() if a["class"] == "SC"}
    councils: list[dict[str, Any]] = []
    for e, (_, a) in sorted(latest.items()):
        ons = a.get("ons_code")
        if not ons:
            ons = next((s["code"] for s in seen.values() if s["code_type"] == "ons" and s["ecode"] == e), None)
        rec = {
            "ecode": e,
            "ons_code": ons,
            "name": a["name"],
            "class": a["class"],
            "region": a.get("region") or (base.get(e) or {}).get("region"),
            "county": None,
            "principal": a["class"] != "O",
        }
        if a["class"] == "SD":
            county = sc_by_prefix.get(e[:3])
            if county is None:
                raise DataError(f"councils: shire district {e} ({a['name']}) has no shire county with code {e[:3]}2x")
            rec["county_ecode"] = county
            rec["county"] = latest[county][1]["name"]
        councils.append(rec)
    population.assign_populations(councils, census)
    councils_df = pd.DataFrame(councils)[list(TABLE_COLUMNS["councils"])]

    codes_df = pd.DataFrame(
        [
            {
                "code": s["code"], "code_type": s["code_type"], "ecode": s["ecode"], "name": s["name"],
                "first_year": min(s["years"], key=YEARS.index), "last_year": max(s["years"], key=YEARS.index),
            }
            for s in seen.values()
        ]
    ).sort_values(["code"]).reset_index(drop=True)

    spend, fin = [], []
    for year, rs in workbooks.items():
        services = expected_services(year)
        items = expected_items(year)
        for (code, line), v in rs.values.items():
            status = "not_collected" if math.isnan(v) else "reported"
            e = to_ecode[code]
            if line in services:
                spend.append((e, year, line, v, status))
            elif line in items:
                fin.append((e, year, line, -v if line in INCOME_ITEMS and not math.isnan(v) else v, status))
    spending_df = (
        pd.DataFrame(spend, columns=list(TABLE_COLUMNS["spending"]))
        .sort_values(["ecode", "year", "service"]).reset_index(drop=True)
    )
    finance_df = (
        pd.DataFrame(fin, columns=list(TABLE_COLUMNS["finance"]))
        .sort_values(["ecode", "year", "item"]).reset_index(drop=True)
    )
    england_df = (
        pd.DataFrame(
            [
                (year, line, -v if line in INCOME_ITEMS else v)
                for year, rs in workbooks.items()
                for line, v in rs.england.items()
            ],
            columns=list(TABLE_COLUMNS["england"]),
        )
        .sort_values(["year", "line"]).reset_index(drop=True)
    )
    tables = {"councils": councils_df, "codes": codes_df, "spending": spending_df,
              "finance": finance_df, "england": england_df}
    checks.check_tables(tables)
    facts = {
        "rows": {k: len(v) for k, v in tables.items()},
        "recoded": sorted(
            [{"code": c, "ecode": e} for c, e in to_ecode.items() if c != e], key=lambda d: d["code"]
        ),
    }
    return tables, facts


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [format_number(v) for v in out[col]]
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "true", False: "false"})
        else:
            out[col] = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in out[col]]
    tmp = path.with_suffix(".tmp")
    out.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)


def _checked_deflator(path: Path) -> dict[str, float]:
    """The financial-year deflator derived from the raw HM Treasury file, checked against
    ``prices.gdp_deflator`` (a difference stops the import)."""
    from sharedservices.inputs import assumptions

    derived = prices.financial_year_index(prices.read_calendar_deflator(path))
    prices.check_assumed_series(derived, assumptions.value("prices.gdp_deflator"))
    return derived


def derived_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tables built from the processed ones and the assumptions: ``central_funding``.

    Examples
    --------
    >>> from sharedservices.inputs import data
    >>> t = derived_tables({"finance": data.finance(), "spending": data.spending(),
    ...                     "councils": data.councils()})["central_funding"]
    >>> sorted(t["year"].unique())[:2], bool((t["gbp_thousand"].dropna() > 0).all())
    (['2010-11', '2011-12'], True)
    """
    rules = central_funding.rules_from_assumptions()
    return {"central_funding": central_funding.build_central_funding(
        tables["finance"], tables["spending"], tables["councils"], rules)}


def run_import(raw_dir: Path, strict: bool = False, out_dir: Path | None = None) -> None:
    """Read, check and tidy the raw files; write the processed tables.

    Parameters
    ----------
    raw_dir : Path
        Directory holding the RS workbooks, the census CSV and HM Treasury's deflator CSV
        (any depth below it).
    strict : bool
        Treat a sha256 that differs from :data:`KNOWN_SOURCES` as an error, not a warning.
    out_dir : Path, optional
        Where to write; default ``paths.processed_dir()``.

    Raises
    ------
    DataError
        Any failed check (exit code 2); nothing is written in that case.
    """
    t0 = time.perf_counter()
    raw_dir = Path(raw_dir)
    out_dir = Path(out_dir) if out_dir is not None else paths.processed_dir()
    rs_files, census_file, prices_file = _find_raw(raw_dir)
    files = _checksums(rs_files + [census_file, prices_file], raw_dir, strict)
    workbooks: dict[str, RsYear] = {}
    per_file: dict[str, dict[str, Any]] = {}
    for p in rs_files:
        rs = read_rs_workbook(p)
        if rs.year in workbooks:
            raise DataError(f"raw directory: two workbooks for {rs.year}: {workbooks[rs.year].path.name} and {p.name}")
        workbooks[rs.year] = rs
        per_file[p.relative_to(raw_dir).as_posix()] = {
            "year": rs.year,
            "sheet": rs.sheet,
            "authorities": checks.check_counts(rs),
            "grossed": {e: rs.authorities[e]["name"] for e in rs.grossed},
            "grossed_implied_gbp_thousand_as_printed": checks.check_totals(rs),
            "reserves_as_at": rs.reserves_as_at,
            "markers": [
                {"header": h, "marker": m, "cells": n} for (h, m), n in sorted(rs.markers.items())
            ],
        }
    missing = [y for y in YEARS if y not in workbooks]
    if missing:
        raise DataError(f"raw directory: no RS workbook for {', '.join(missing)} under '{raw_dir}' (see data/raw/README.md)")
    census = population.read_census(census_file)
    deflator = _checked_deflator(prices_file)
    tables, facts = build_tables(workbooks, census)
    tables["central_funding"] = derived_tables(tables)["central_funding"]
    facts["rows"]["central_funding"] = len(tables["central_funding"])

    for f in files:
        f.update(per_file.get(f["path"], {}))
        if f["path"] == prices_file.relative_to(raw_dir).as_posix():
            f["kind"] = "prices"
            f["financial_years"] = f"{min(deflator)} to {max(deflator)}"
        elif f["path"] == census_file.relative_to(raw_dir).as_posix():
            f["kind"] = "census"
    files.sort(key=lambda f: (f.get("year") is None, YEARS.index(f["year"]) if f.get("year") else 0))
    sources = {
        "files": files,
        "rows": facts["rows"],
        "recoded": facts["recoded"],
        "income_items_flipped": sorted(INCOME_ITEMS),
        "population": {
            "principal_with_population": int(
                tables["councils"].query("principal")["population_2011"].notna().sum()
            ),
            "principal_without_population": int(
                tables["councils"].query("principal")["population_2011"].isna().sum()
            ),
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        _write_csv(df, out_dir / f"{name}.csv")
    (out_dir / "sources.json").write_text(json.dumps(sources, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    readme = out_dir.parent / "README.md"
    if readme.is_file():
        from sharedservices.inputs.importers.datalog import render_generated

        text = readme.read_text()
        if _GENERATED.search(text):
            block = render_generated(tables, sources)
            readme.write_text(_GENERATED.sub(lambda m: m.group(1) + block + m.group(3), text))
    log.info("import finished in %.1f s: %s", time.perf_counter() - t0, facts["rows"])
