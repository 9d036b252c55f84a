"""The processed council finance tables, validated on load and cached per process.

Tables are read from :func:`sharedservices.inputs.paths.processed_dir` (``data/processed``, or
``$SHAREDSERVICES_PROCESSED_DIR``) and checked with pandera; a bad file raises a one-line
:class:`~sharedservices.errors.DataError` naming the file.  Money is £ thousand, cash
(nominal), as published by DCLG; every income line in :func:`finance` is positive.

Tables
------
:func:`councils`  one row per authority (``ecode`` is the RS code of the 2014-15 workbook)
:func:`spending`  ``ecode, year, service, gbp_thousand, status`` (net current expenditure)
:func:`finance`   ``ecode, year, item, gbp_thousand, status`` (financing and reserve levels)
:func:`codes`     every RS or ONS code seen in any year -> ``ecode``
:func:`england`   the printed ENGLAND rows of the workbooks
:func:`central_funding`  like-for-like central funding by council and year, with its
                  components and flags (:mod:`sharedservices.inputs.importers.central_funding`)
:func:`geography` area, centre and IMD 2010 score of every principal council, from
                  ``data/external/council_geography.csv`` (:mod:`sharedservices.inputs.importers.geography`)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sharedservices.errors import DataError, InputError, show
from sharedservices.inputs import paths

#: Authority classes; all but ``O`` (police, fire, transport, parks and other bodies) are
#: principal councils.
CLASSES: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L", "O")
PRINCIPAL_CLASSES: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L")
CLASS_NAMES: dict[str, str] = {
    "SC": "shire counties",
    "SD": "shire districts",
    "UA": "unitary authorities",
    "MD": "metropolitan districts",
    "L": "London boroughs",
    "O": "other authorities",
}
#: The English regions of ``councils.csv``'s ``region`` column (ONS region codes).
REGION_NAMES: dict[str, str] = {
    "NE": "North East", "NW": "North West", "YH": "Yorkshire and the Humber",
    "EM": "East Midlands", "WM": "West Midlands", "EE": "East of England", "L": "London",
    "SE": "South East", "SW": "South West",
}
YEARS: tuple[str, ...] = ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18")
SERVICES: tuple[str, ...] = (
    "education", "highways_transport", "social_care", "childrens_social_care",
    "adult_social_care", "public_health", "housing", "cultural", "environmental_regulatory",
    "planning_development", "police", "fire", "central", "other",
    "total_service_expenditure", "net_current_expenditure",
)
ITEMS: tuple[str, ...] = (
    "revenue_support_grant", "redistributed_business_rates", "retained_business_rates",
    "council_tax_requirement", "specific_grants_inside_aef", "area_based_grant",
    "local_services_support_grant",
    "net_revenue_expenditure", "budget_requirement", "reserves_schools",
    "reserves_public_health", "reserves_earmarked", "reserves_unallocated",
)
STATUSES: tuple[str, ...] = ("reported", "not_collected")
#: Money columns of ``central_funding.csv`` (£ thousand, cash).
CENTRAL_FUNDING_MONEY: tuple[str, ...] = (
    "gbp_thousand", "revenue_support_grant", "business_rates", "area_based_grant",
    "local_services_support_grant", "rolled_in_grants_estimate", "concessionary_travel_estimate",
    "early_intervention_grant_estimate", "early_years_to_schools_estimate",
    "council_tax_freeze_grant_estimate", "council_tax_support_estimate",
    "learning_disability_grant_estimate", "education_services_estimate",
    "estimated_gbp_thousand", "retained_rates_above_baseline",
)

_FILES = {
    "councils": "councils.csv",
    "spending": "spending.csv",
    "finance": "finance.csv",
    "codes": "codes.csv",
    "england": "england.csv",
    "central_funding": "central_funding.csv",
}
_NUMERIC = {
    "councils": ("population_2011",),
    "spending": ("gbp_thousand",),
    "finance": ("gbp_thousand",),
    "codes": (),
    "england": ("gbp_thousand",),
    "central_funding": CENTRAL_FUNDING_MONEY,
}
_KEYS = {
    "councils": ["ecode"],
    "spending": ["ecode", "year", "service"],
    "finance": ["ecode", "year", "item"],
    "codes": ["code"],
    "england": ["year", "line"],
    "central_funding": ["ecode", "year"],
}
_cache: dict[tuple[str, str], tuple[tuple[int, int], pd.DataFrame]] = {}


def _schemas() -> dict[str, Any]:
    import pandera.pandas as pa

    text = pa.Column(str, nullable=False)
    year = pa.Column(str, pa.Check.isin(YEARS))
    money = pa.Column(float, nullable=True)
    status = pa.Column(str, pa.Check.isin(STATUSES))
    ecode = pa.Column(str, pa.Check.str_matches(r"^E\d{4}$"))
    return {
        "councils": pa.DataFrameSchema(
            {
                "ecode": ecode,
                "ons_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$"), nullable=True),
                "name": text,
                "class": pa.Column(str, pa.Check.isin(CLASSES)),
                "region": pa.Column(str, nullable=True),
                "county": pa.Column(str, nullable=True),
                "population_2011": pa.Column(float, pa.Check.gt(0), nullable=True),
                "population_source": text,
                "principal": pa.Column(bool),
            },
            strict=True,
        ),
        "spending": pa.DataFrameSchema(
            {"ecode": ecode, "year": year, "service": pa.Column(str, pa.Check.isin(SERVICES)),
             "gbp_thousand": money, "status": status},
            strict=True,
        ),
        "finance": pa.DataFrameSchema(
            {"ecode": ecode, "year": year, "item": pa.Column(str, pa.Check.isin(ITEMS)),
             "gbp_thousand": money, "status": status},
            strict=True,
        ),
        "codes": pa.DataFrameSchema(
            {"code": pa.Column(str, pa.Check.str_matches(r"^E(\d{4}|\d{8})$")),
             "code_type": pa.Column(str, pa.Check.isin(("rs", "ons"))),
             "ecode": ecode, "name": text, "first_year": year, "last_year": year},
            strict=True,
        ),
        "england": pa.DataFrameSchema(
            {"year": year, "line": pa.Column(str, pa.Check.isin(SERVICES + ITEMS)),
             "gbp_thousand": pa.Column(float)},
            strict=True,
        ),
        "central_funding": pa.DataFrameSchema(
            {"ecode": ecode, "year": year, **{c: money for c in CENTRAL_FUNDING_MONEY},
             "basis": text, "flags": pa.Column(str, nullable=True), "status": status},
            strict=True,
        ),
    }


#: Columns of ``data/external/council_geography.csv`` that hold numbers.
GEOGRAPHY_NUMBERS: tuple[str, ...] = ("area_km2", "easting_m", "northing_m", "latitude", "longitude",
                                      "imd2010_score")
GEOGRAPHY_FILE = "council_geography.csv"


def external_dir() -> Path:
    """Directory of the derived external tables: ``$SHAREDSERVICES_EXTERNAL_DIR``, else
    ``data/external``."""
    import os

    return Path(os.environ.get("SHAREDSERVICES_EXTERNAL_DIR", paths.DATA_DIR / "external"))


def _geography_schema() -> Any:
    import pandera.pandas as pa

    number = pa.Column(float, nullable=True)
    return pa.DataFrameSchema(
        {"ecode": pa.Column(str, pa.Check.str_matches(r"^E\d{4}$")),
         "ons_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$"), nullable=True),
         "name": pa.Column(str), "class": pa.Column(str, pa.Check.isin(PRINCIPAL_CLASSES)),
         **{c: number for c in GEOGRAPHY_NUMBERS[:5]}, "geography_basis": pa.Column(str),
         "imd2010_score": number, "deprivation_basis": pa.Column(str)},
        strict=True,
    )


def geography() -> pd.DataFrame:
    """Area (km²), centre (British National Grid metres and degrees) and IMD 2010 average
    score of every principal council: ``ecode, ons_code, name, class, area_km2, easting_m,
    northing_m, latitude, longitude, geography_basis, imd2010_score, deprivation_basis``.

    Read from :func:`external_dir` (``council_geography.csv``, see ``data/external/README.md``);
    a missing value is NaN and its ``*_basis`` says why.  Checked on load: columns, types,
    one row per ``ecode``, and the domain rules of
    :func:`sharedservices.inputs.data_rules.check_geography`.

    Examples
    --------
    >>> g = geography().set_index("ecode")
    >>> str(g.loc["E2532", "name"]), float(g.loc["E2532", "area_km2"])
    ('East Lindsey', 1767.0)
    """
    import pandera.errors

    from sharedservices.inputs import data_rules

    path = external_dir() / GEOGRAPHY_FILE
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: external table not found (rebuild with python -m "
                        "sharedservices.inputs.external; see data/external/README.md)") from None
    key = (f"{path.resolve()}|{paths.processed_dir().resolve()}", "geography")  # checked against councils
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1].copy(deep=False)
    where = path.name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{where}: file is empty (rebuild it: see data/external/README.md)") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{where}: not a valid CSV ({' '.join(str(exc).split())[:100]})") from None
    schema = _geography_schema()
    missing = [c for c in schema.columns if c not in raw.columns]
    if missing:
        raise DataError(f"{where}: missing column '{missing[0]}' (expected: {', '.join(schema.columns)})")
    if raw.empty:
        raise DataError(f"{where}: no data rows")
    df = raw.copy()
    df["ons_code"] = df["ons_code"].where(df["ons_code"] != "", None)
    for col in GEOGRAPHY_NUMBERS:
        num = pd.to_numeric(df[col].where(df[col] != "", None), errors="coerce")
        bad = num.isna() & (df[col] != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{where}: row {i + 2}, column '{col}': {show(df[col].iloc[i])} is not a number")
        df[col] = num.astype("float64")
    if df["ecode"].duplicated().any():
        raise DataError(f"{where}: duplicate key ({df.loc[df['ecode'].duplicated(), 'ecode'].iloc[0]!r},) (keys: ecode)")
    try:
        df = schema.validate(df)
    except (pandera.errors.SchemaError, pandera.errors.SchemaErrors) as exc:
        raise DataError(f"{where}: fails its schema: {' '.join(str(exc).split())[:200]}") from None
    data_rules.check_geography(df, councils(), where)
    _cache[key] = (stamp, df)
    return df.copy(deep=False)


def validate_processed() -> None:
    """Load every processed table and ``sources.json`` and apply every domain rule of
    :mod:`sharedservices.inputs.data_rules` (the build calls this before any kernel starts).

    A missing, empty, corrupt or out-of-domain file raises :class:`DataError` naming it.
    """
    from sharedservices.inputs import data_rules

    # each table's public loader where it has one (``spending()``), else the reader every
    # loader uses, so a table added to _FILES is validated without an edit elsewhere
    loaders = globals()
    tables = {name: loaders[name]() if name in loaders else _read(name) for name in _FILES}
    data_rules.check_sources(sources(), tuple(YEARS))
    data_rules.check_tables(tables, tuple(YEARS), dict(_FILES))
    geography()  # the external table: form and check_geography, on load


def _read(name: str, directory: Path | None = None) -> pd.DataFrame:
    directory = Path(directory) if directory is not None else paths.processed_dir()
    path = directory / _FILES[name]
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: processed table not found (rebuild it with make data RAW_DIR=...)") from None
    key = (str(directory.resolve()), name)
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1].copy(deep=False)
    df = _load(name, path)
    _cache[key] = (stamp, df)
    return df.copy(deep=False)


def _load(name: str, path: Path) -> pd.DataFrame:
    import pandera.errors

    where = f"{path.name}"
    if path.stat().st_size == 0:
        raise DataError(f"{where}: file is empty (rebuild with `python -m sharedservices data`)")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{where}: file is empty (rebuild with `python -m sharedservices data`)") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{where}: not a valid CSV ({' '.join(str(exc).split())[:100]})") from None
    schema = _schemas()[name]
    missing = [c for c in schema.columns if c not in raw.columns]
    if missing:
        raise DataError(f"{where}: missing column '{missing[0]}' (expected: {', '.join(schema.columns)})")
    if raw.empty:
        raise DataError(f"{where}: no data rows")
    df = raw.copy()
    for col in df.columns:
        if col not in _NUMERIC[name] and col != "principal":
            df[col] = df[col].where(df[col] != "", None)
    for col in _NUMERIC[name]:
        num = pd.to_numeric(df[col].where(df[col] != "", None), errors="coerce")
        bad = num.isna() & (df[col] != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{where}: row {i + 2}, column '{col}': {df[col].iloc[i]!r} is not a number")
        df[col] = num.astype("float64")
    if "principal" in df.columns:
        flag = df["principal"].str.lower()
        ok = flag.isin(["true", "false"])
        if not ok.all():
            i = int((~ok).to_numpy().nonzero()[0][0])
            raise DataError(f"{where}: row {i + 2}, column 'principal': {df['principal'].iloc[i]!r} is not true or false")
        df["principal"] = flag == "true"
    dup = df.duplicated(_KEYS[name])
    if dup.any():
        row = df[dup].iloc[0]
        raise DataError(f"{where}: duplicate key {tuple(row[k] for k in _KEYS[name])} (keys: {', '.join(_KEYS[name])})")
    try:
        df = schema.validate(df)
    except (pandera.errors.SchemaError, pandera.errors.SchemaErrors) as exc:
        first = " ".join(str(exc).split())[:200]
        raise DataError(f"{where}: fails its schema: {first}") from None
    if "status" in df.columns:
        flagged = df["status"] != "reported"
        if (df["gbp_thousand"].isna() != flagged).any():
            i = int((df["gbp_thousand"].isna() != flagged).to_numpy().nonzero()[0][0])
            raise DataError(f"{where}: row {i + 2}: a missing value must have status not_collected, and only then")
    return df


def councils() -> pd.DataFrame:
    """All authorities: ``ecode, ons_code, name, class, region, county, population_2011,
    population_source, principal`` (population: Census 2011 usual residents, persons; NaN
    with the reason in ``population_source`` where no exact figure exists).

    Examples
    --------
    >>> c = councils()
    >>> c.loc[c["ecode"] == "E0101", "name"].item()
    'Bath & North East Somerset UA'
    """
    return _read("councils")


#: The class suffixes ``councils.csv`` writes after some names, as the RS workbooks do:
#: unitary authority, county council, district council, borough council, metropolitan
#: borough council ("Bristol UA", "Kent CC", "Hart DC", "Woking BC", "Bury MBC").  These are
#: every upper-case last word of a principal council's name in the table (a test checks
#: the data against this list, so a new suffix fails it rather than show up in titles).
CLASS_SUFFIXES: tuple[str, ...] = ("UA", "CC", "DC", "BC", "MBC")


def short_name(name: str) -> str:
    """A council's name as a reader writes it: its ``councils.csv`` name without the class suffix.

    Only a last word in :data:`CLASS_SUFFIXES` goes ("Derby City UA" keeps "City").

    Examples
    --------
    >>> short_name("Bristol UA"), short_name("Kent CC"), short_name("Bury MBC")
    ('Bristol', 'Kent', 'Bury')
    >>> short_name("Derby City UA"), short_name("East Lindsey"), short_name("UA")
    ('Derby City', 'East Lindsey', 'UA')
    """
    text = " ".join(str(name).split())
    head, _, last = text.rpartition(" ")
    return head if head and last in CLASS_SUFFIXES else text


def council_name(code: str) -> str:
    """The short name (:func:`short_name`) of the council with this RS or ONS code.

    Raises
    ------
    InputError
        Not a known code (:func:`resolve_council`); any authority's code is accepted.

    Examples
    --------
    >>> council_name("E0102"), council_name("E07000137")
    ('Bristol', 'East Lindsey')
    """
    _, principal = _code_table()
    return short_name(principal[resolve_council(code, principal_only=False)][0])


def spending() -> pd.DataFrame:
    """Net current expenditure, long: ``ecode, year, service, gbp_thousand, status``
    (£ thousand, cash).

    Examples
    --------
    >>> s = spending()
    >>> sorted(s["year"].unique())[:2]
    ['2010-11', '2011-12']
    """
    return _read("spending")


def finance() -> pd.DataFrame:
    """Financing lines and reserve levels, long: ``ecode, year, item, gbp_thousand, status``
    (£ thousand, cash; every income line positive).

    Examples
    --------
    >>> f = finance()
    >>> bool((f.query("item == 'revenue_support_grant' and year == '2011-12'")["gbp_thousand"].sum()) > 0)
    True
    """
    return _read("finance")


def central_funding() -> pd.DataFrame:
    """Like-for-like central funding: ``ecode, year, gbp_thousand`` (the total), its
    components (signed contributions, £ thousand, cash), ``estimated_gbp_thousand``,
    ``retained_rates_above_baseline``, ``basis``, ``flags`` and ``status``, one row per
    principal council and year.  See :mod:`sharedservices.inputs.importers.central_funding`.

    Examples
    --------
    >>> cf = central_funding().set_index(["ecode", "year"])
    >>> bool(cf.loc[("E0101", "2010-11"), "gbp_thousand"] > 0)
    True
    """
    return _read("central_funding")


def codes() -> pd.DataFrame:
    """Crosswalk: ``code, code_type ('rs'|'ons'), ecode, name, first_year, last_year``.

    Examples
    --------
    >>> c = codes().set_index("code")
    >>> c.loc["E6042", "ecode"]   # Greater Manchester Police Authority, re-coded in 2012-13
    'E7042'
    """
    return _read("codes")


def england() -> pd.DataFrame:
    """The workbooks' printed ENGLAND rows: ``year, line, gbp_thousand`` (£ thousand, cash;
    income lines positive as in :func:`finance`).

    Examples
    --------
    >>> e = england().set_index(["year", "line"])
    >>> e.loc[("2010-11", "education"), "gbp_thousand"]
    np.float64(45283348.0)
    """
    return _read("england")


def sources() -> dict[str, Any]:
    """The importer's record (``sources.json``): raw files and their sha256, reserve dates,
    markers, grossed rows, row counts.

    Examples
    --------
    >>> len(sources()["files"])
    8
    """
    path = paths.processed_dir() / "sources.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: not found (run `python -m sharedservices data`)") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path.name}: not valid JSON (line {exc.lineno})") from None


def reserves_as_at(year: str) -> str:
    """How the workbook for ``year`` dates its reserve levels.

    Examples
    --------
    >>> reserves_as_at("2017-18")
    'Reserves at 31 March 2018'
    """
    _check_year(year)
    for f in sources()["files"]:
        if f.get("year") == year:
            return f["reserves_as_at"]
    raise DataError(f"sources.json: no workbook recorded for {year}")


def data_files() -> dict[str, str]:
    """Each processed table file -> its sha256 (for provenance sidecars).

    Examples
    --------
    >>> sorted(data_files())
    ['central_funding.csv', 'codes.csv', 'councils.csv', 'england.csv', 'finance.csv', 'sources.json', 'spending.csv']
    """
    d = paths.processed_dir()
    out = {}
    for name in sorted([*_FILES.values(), "sources.json"]):
        p = d / name
        if p.is_file():
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _check_year(year: object) -> str:
    if year not in YEARS:
        raise InputError(f"year: {year!r} is not a year with data (allowed: {', '.join(YEARS)})")
    return str(year)


_ALLOWED_COUNCIL = ("an RS code such as E0101 or an ONS code such as E06000022; "
                    "see data/processed/councils.csv")


_CODE_TABLES: dict[tuple, tuple[dict[str, str], dict[str, tuple[str, bool]]]] = {}
#: Caches of this module (the tables and code lookups, refreshed when a file changes): a
#: kernel that runs report after report keeps them (:mod:`sharedservices.pipeline.leaks`).
__cache_names__ = ("_cache", "_CODE_TABLES")


def _code_table() -> tuple[dict[str, str], dict[str, tuple[str, bool]]]:
    """Every known code -> ecode, and ecode -> (name, principal); built once per loaded tables.

    Keyed like the table cache (directory, file times and sizes), so a changed file or
    another directory gets a fresh lookup.
    """
    directory = paths.processed_dir()
    key: tuple = (str(directory),)
    for name in ("councils", "codes"):
        try:
            st = (directory / _FILES[name]).stat()
            key += ((st.st_mtime_ns, st.st_size),)
        except FileNotFoundError:
            key += (None,)
    if key not in _CODE_TABLES:
        c = councils()
        cw = codes() if key[2] is not None else None
        table = dict(zip(c["ecode"], c["ecode"], strict=True))
        table.update({o: e for o, e in zip(c["ons_code"], c["ecode"], strict=True) if isinstance(o, str)})
        if cw is not None:
            table.update(zip(cw["code"], cw["ecode"], strict=True))
        principal = {e: (n, bool(p)) for e, n, p in zip(c["ecode"], c["name"], c["principal"], strict=True)}
        _CODE_TABLES.clear()
        _CODE_TABLES[key] = (table, principal)
    return _CODE_TABLES[key]


def resolve_council(code: str, *, principal_only: bool = True) -> str:
    """Return the RS ``ecode`` for an RS or ONS code of any year.

    Parameters
    ----------
    code : str
        RS code (``E0101``) or ONS code (``E06000022``); case and spaces are ignored.
    principal_only : bool
        Reject police, fire, transport and other non-principal bodies (class ``O``).

    Raises
    ------
    InputError
        ``council: 'X' is not ...`` naming what is allowed.

    Examples
    --------
    >>> resolve_council("E06000022")
    'E0101'
    >>> resolve_council("e6042", principal_only=False)
    'E7042'
    >>> resolve_council("E9999")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: council: 'E9999' is not a code in the RS workbooks (allowed: an RS code such as E0101 or an ONS code such as E06000022; see data/processed/councils.csv)
    """
    if not isinstance(code, str) or not code.strip():
        raise InputError(f"council: {code!r} is not a council code (allowed: {_ALLOWED_COUNCIL})")
    key = "".join(code.split()).upper()
    table, principal = _code_table()
    if key not in table:
        raise InputError(f"council: {code!r} is not a code in the RS workbooks (allowed: {_ALLOWED_COUNCIL})")
    ecode = table[key]
    if principal_only and not principal[ecode][1]:
        raise InputError(
            f"council: {code!r} is {principal[ecode][0]}, not a principal council "
            f"(allowed: shire counties and districts, unitaries, metropolitan districts, London boroughs)"
        )
    return ecode


def select_councils(spec: str) -> list[str]:
    """Expand a council selection into sorted RS ecodes, validating every part first.

    Parameters
    ----------
    spec : str
        ``all`` (every principal council), a class (``SC``, ``SD``, ``UA``, ``MD``, ``L``),
        or a comma-separated list of RS or ONS codes.

    Examples
    --------
    >>> len(select_councils("L"))
    33
    >>> select_councils("E06000023, E0101")
    ['E0101', 'E0102']
    >>> select_councils("XX")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: council: 'XX' is not a code in the RS workbooks (allowed: an RS code such as E0101 or an ONS code such as E06000022; see data/processed/councils.csv)
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(
            f"councils: {spec!r} is not a selection (allowed: all, a class {', '.join(PRINCIPAL_CLASSES)}, "
            "or comma-separated council codes)"
        )
    s = spec.strip()
    c = councils()
    if s.lower() == "all":
        return sorted(c.loc[c["principal"], "ecode"])
    if s.upper() in PRINCIPAL_CLASSES:
        return sorted(c.loc[c["class"] == s.upper(), "ecode"])
    parts = [p.strip() for p in s.split(",")]
    if any(not p for p in parts):
        raise InputError(f"councils: {spec!r} has an empty item (allowed: comma-separated council codes)")
    return sorted({resolve_council(p) for p in parts})


def _one_year_wide(
    load: Callable[[], pd.DataFrame], year: str, column: str, order: Sequence[str]
) -> pd.DataFrame:
    """One year of the long table ``load()`` as rows ``ecode`` by ``column`` (£ thousand),
    columns in ``order`` (those the year has); the year is checked before loading."""
    _check_year(year)
    long = load()
    wide = long[long["year"] == year].pivot(index="ecode", columns=column, values="gbp_thousand")
    wide = wide[[c for c in order if c in wide.columns]]
    wide.columns.name = None
    return wide


def spending_wide(year: str) -> pd.DataFrame:
    """Net current expenditure for one year: rows ``ecode``, columns services
    (£ thousand, cash; NaN where not collected; only the services the year has).

    Examples
    --------
    >>> w = spending_wide("2014-15")
    >>> w.loc["E0101", "education"]
    np.float64(90597.0)
    """
    return _one_year_wide(spending, year, "service", SERVICES)


def finance_wide(year: str) -> pd.DataFrame:
    """Financing lines and reserve levels for one year: rows ``ecode``, columns items, plus
    ``reserves_usable`` = earmarked + unallocated (£ thousand, cash; income positive).

    Schools and public health reserves are ring-fenced, so they are not usable.

    Examples
    --------
    >>> w = finance_wide("2014-15")
    >>> r = w.loc["E0101"]
    >>> bool(r["reserves_usable"] == r["reserves_earmarked"] + r["reserves_unallocated"])
    True
    """
    wide = _one_year_wide(finance, year, "item", ITEMS)
    wide["reserves_usable"] = wide["reserves_earmarked"] + wide["reserves_unallocated"]
    return wide


def clear_cache() -> None:
    """Forget every table read in this process (tests use it)."""
    _cache.clear()
