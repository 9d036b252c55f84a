"""Domain rules for the processed tables and the assumptions, checked before any kernel.

The loaders in :mod:`sharedservices.inputs.data` and :mod:`sharedservices.inputs.assumptions` check form:
columns, types, keys, flagged missing values, citations.  These rules check *meaning*, so
that a plausible-looking but wrong file stops a build (exit 2) instead of publishing a
wrong report with exit 0:

* **completeness**: every principal council has a row for every line its year's workbook
  carries (derived from :func:`sharedservices.inputs.importers.rs_outturn.expected_services` and
  :func:`~sharedservices.inputs.importers.rs_outturn.expected_items`, so a new line needs no edit
  here), and ``england.csv`` has every line of every year.  A value that was not collected
  is a row with status ``not_collected``, never an absent row;
* **range**: every number is finite, and money is within :data:`MAX_GBP_THOUSAND` of zero;
* **sign, by line** (:data:`SPENDING_RULES`, :data:`FINANCE_RULES`): lines that cannot be
  negative.  Many lines legitimately can: net spending on highways is negative for
  districts whose parking income exceeds their costs, and central services, "other" and
  planning for some councils; a revenue support grant of 0 is legitimate (the 2017-18
  business-rates pilots and some districts), a negative one is not;
* **codes**: every ``ecode`` in the long tables and the crosswalk is in ``councils.csv``;
* **the importer's record** ``sources.json``: a mapping whose ``files`` name each raw file
  with its sha256 and give, for each year, how the workbook dates its reserves;
* **assumptions** (:data:`ASSUMPTION_RULES`): the range of each kind of value, e.g. an
  interest rate 0..0.25 a year, a share 0..1, a duration at least 0 years.

:func:`sharedservices.inputs.data.validate_processed` (which applies these rules to every
loaded table) and :func:`check_assumptions` raise
:class:`~sharedservices.errors.DataError` naming the file, the row (or key) and the rule.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sharedservices.errors import DataError, show

__all__ = [
    "ASSUMPTION_RULES",
    "FINANCE_RULES",
    "MAX_GBP_THOUSAND",
    "SPENDING_RULES",
    "AssumptionRule",
    "SignRule",
    "check_assumptions",
    "check_geography",
    "check_tables",
]

#: Largest size of one authority's line, £ thousand (£50bn; the largest in the data is
#: about £5.7bn, the Greater London Authority).
MAX_GBP_THOUSAND = 50_000_000.0
#: Largest size of a national (ENGLAND) line or a line of a table without its own rule.
MAX_GBP_THOUSAND_NATIONAL = 1_000_000_000.0

_COMPLETENESS = ("every principal council has a row for every line of every year; a value "
                 "that was not collected is a row with status not_collected, never an "
                 "absent row")


@dataclass(frozen=True)
class SignRule:
    """A line whose values may not fall below ``minimum`` (or reach it, if ``strict``).

    ``principal_only``: the rule binds principal councils only (police, fire and other
    bodies keep accounts in which the line can legitimately go the other way).
    """

    minimum: float = 0.0
    strict: bool = False
    principal_only: bool = False
    why: str = ""

    def describe(self, line: str) -> str:
        """The rule in words, as quoted in an error message."""
        op = ">" if self.strict else ">="
        who = " for a principal council" if self.principal_only else ""
        return f"'{line} {op} {self.minimum:g}'{who}" + (f" ({self.why})" if self.why else "")


_SPEND = "net spending on the service cannot be negative"
#: Sign rules of ``spending.csv`` by service (net current expenditure, £ thousand).  Every
#: other service may be negative (income above costs): highways for many districts (parking),
#: central services, housing, planning, "other", even the total for a few districts.
SPENDING_RULES: dict[str, SignRule] = {
    "education": SignRule(why=_SPEND),
    "police": SignRule(why=_SPEND),
    "fire": SignRule(why=_SPEND),
    "net_current_expenditure": SignRule(strict=True, principal_only=True,
                                        why="a council's net current expenditure is positive"),
}

_INCOME = "income lines are stored positive"
#: Sign rules of ``finance.csv`` by item (£ thousand; income stored positive).  Retained
#: business rates can be negative (a tariff or levy above the rates kept), as can council
#: tax requirement and net revenue expenditure in a few accounts, and earmarked and schools
#: reserves (deficits).  The local services support grant has no sign rule: five councils'
#: returns show small negatives (-£0.8m at most; an adjustment in the grant year).
FINANCE_RULES: dict[str, SignRule] = {
    "revenue_support_grant": SignRule(why=_INCOME + "; 0 is legitimate: the 2017-18 "
                                      "business-rates pilots and some districts"),
    "specific_grants_inside_aef": SignRule(why=_INCOME),
    "area_based_grant": SignRule(why=_INCOME),
    "redistributed_business_rates": SignRule(why=_INCOME),
    "budget_requirement": SignRule(why="a budget requirement cannot be negative"),
    "reserves_unallocated": SignRule(why="a reserve level cannot be negative"),
    "reserves_public_health": SignRule(why="a reserve level cannot be negative"),
}

#: Rules by table: (key column, sign rules, largest absolute money value).
_TABLE_RULES: dict[str, tuple[str, dict[str, SignRule], float]] = {
    "spending": ("service", SPENDING_RULES, MAX_GBP_THOUSAND),
    "finance": ("item", FINANCE_RULES, MAX_GBP_THOUSAND),
    "england": ("line", {**SPENDING_RULES, **FINANCE_RULES}, MAX_GBP_THOUSAND_NATIONAL),
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _row(df: pd.DataFrame, i: Any) -> str:
    """File row (the header is row 1) of index label ``i`` of a freshly loaded table."""
    return f"row {int(df.index.get_loc(i)) + 2}"


def _first(mask: pd.Series) -> Any | None:
    hits = mask.to_numpy().nonzero()[0]
    return None if len(hits) == 0 else mask.index[hits[0]]


def _more(mask: pd.Series) -> str:
    n = int(mask.sum())
    return f" (and {n - 1} more such rows)" if n > 1 else ""


def _check_numbers(fname: str, df: pd.DataFrame, limit: float | None) -> None:
    """Every number finite; ``gbp_thousand`` within ``limit`` of zero."""
    for col in df.columns:
        if not pd.api.types.is_float_dtype(df[col]):
            continue
        values = df[col]
        bad = values.notna() & ~np.isfinite(values.to_numpy(dtype=float))
        i = _first(bad)
        if i is not None:
            raise DataError(f"{fname}: {_row(df, i)}, column {col!r}: {values[i]} is not a finite "
                            f"number{_more(bad)} (rule: every value is a finite number, or "
                            "empty with status not_collected)")
        if col == "gbp_thousand" and limit is not None:
            big = values.abs() > limit
            i = _first(big)
            if i is not None:
                raise DataError(f"{fname}: {_row(df, i)}, column {col!r}: {values[i]:,.10g} is "
                                f"out of range{_more(big)} (rule: |value| <= {limit:,.0f} "
                                "£ thousand)")


def _check_signs(fname: str, df: pd.DataFrame, key: str, rules: dict[str, SignRule],
                 principal: set[str] | None) -> None:
    for line, rule in rules.items():
        values = df["gbp_thousand"]
        mask = (df[key] == line) & values.notna()
        mask &= (values <= rule.minimum) if rule.strict else (values < rule.minimum)
        if rule.principal_only and principal is not None and "ecode" in df.columns:
            mask &= df["ecode"].isin(principal)
        i = _first(mask)
        if i is not None:
            who = ", ".join(str(df.at[i, c]) for c in ("ecode", "year", key) if c in df.columns)
            raise DataError(f"{fname}: {_row(df, i)} ({who}): {values[i]:,.10g} breaks the "
                            f"rule {rule.describe(line)}{_more(mask)}")


def _expected_lines(year: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from sharedservices.inputs.importers.rs_outturn import expected_items, expected_services

    return expected_services(year), expected_items(year)


def _check_complete(fname: str, df: pd.DataFrame, key: str, councils: pd.DataFrame,
                    years: tuple[str, ...], which: int) -> None:
    """Every principal council has a row for every expected line of every year."""
    principal = councils.loc[councils["principal"], ["ecode", "name"]]
    have = set(zip(df["ecode"], df["year"], df[key], strict=True))
    missing: list[tuple[str, str, str, str]] = []
    for ecode, name in zip(principal["ecode"], principal["name"], strict=True):
        for year in years:
            for line in _expected_lines(year)[which]:
                if (ecode, year, line) not in have:
                    missing.append((ecode, name, year, line))
    if missing:
        ecode, name, year, line = missing[0]
        more = f" ({len(missing)} such rows missing)" if len(missing) > 1 else ""
        raise DataError(f"{fname}: no row for {ecode} ({name}), {year}, {key} {line!r}{more} "
                        f"(rule: {_COMPLETENESS})")


def _check_england_complete(fname: str, df: pd.DataFrame, years: tuple[str, ...]) -> None:
    have = set(zip(df["year"], df["line"], strict=True))
    for year in years:
        services, items = _expected_lines(year)
        for line in (*services, *items):
            if (year, line) not in have:
                raise DataError(f"{fname}: no row for {year}, line {line!r} (rule: the ENGLAND "
                                "row of every line of every year's workbook)")


def _check_known_codes(fname: str, df: pd.DataFrame, known: set[str]) -> None:
    bad = ~df["ecode"].isin(known)
    i = _first(bad)
    if i is not None:
        raise DataError(f"{fname}: {_row(df, i)}: ecode {show(df.at[i, 'ecode'])} is not in "
                        f"councils.csv{_more(bad)} (rule: every ecode is an authority in "
                        "councils.csv)")


def check_sources(record: Any, years: tuple[str, ...], fname: str = "sources.json") -> None:
    """The importer's record: raw files with sha256, and each year's reserve date.

    Examples
    --------
    >>> check_sources({"files": []}, ("2010-11",))
    Traceback (most recent call last):
    ...
    sharedservices.errors.DataError: sources.json: 'files' is empty (rule: a mapping whose 'files' list names every raw file read, with its path and sha256)
    """
    rule = "(rule: a mapping whose 'files' list names every raw file read, with its path and sha256)"
    if not isinstance(record, dict):
        raise DataError(f"{fname}: the top level is {type(record).__name__}, not a mapping {rule}")
    files = record.get("files")
    if not isinstance(files, list):
        raise DataError(f"{fname}: 'files' is {show(files)}, not a list {rule}")
    if not files:
        raise DataError(f"{fname}: 'files' is empty {rule}")
    for n, f in enumerate(files, start=1):
        if not isinstance(f, dict) or not isinstance(f.get("path"), str) \
                or not _SHA256.match(str(f.get("sha256", ""))):
            raise DataError(f"{fname}: files entry {n} is {show(f)} {rule}")
    for year in years:
        found = [f for f in files if f.get("year") == year]
        if len(found) != 1 or not isinstance(found[0].get("reserves_as_at"), str) \
                or not found[0]["reserves_as_at"].strip():
            raise DataError(f"{fname}: {len(found)} workbook entries for {year} with a "
                            "'reserves_as_at' text (rule: exactly one workbook per year, saying "
                            "how it dates its reserve levels)")
    rows = record.get("rows")
    if rows is not None and (not isinstance(rows, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in rows.values())):
        raise DataError(f"{fname}: 'rows' is {show(rows)} (rule: a mapping of table name to "
                        "its number of rows)")


def check_tables(tables: dict[str, pd.DataFrame], years: tuple[str, ...],
                 files: Mapping[str, str] | None = None) -> None:
    """Apply every rule to loaded tables (name -> DataFrame as :mod:`sharedservices.inputs.data`
    returns it; ``files``: name -> file name, for the messages).  Tables without rules of
    their own get the number checks only."""
    councils = tables.get("councils")
    principal = set(councils.loc[councils["principal"], "ecode"]) if councils is not None else None
    known = set(councils["ecode"]) if councils is not None else None
    for name, df in tables.items():
        fname = (files or {}).get(name, f"{name}.csv")
        key, rules, limit = _TABLE_RULES.get(name, (None, {}, MAX_GBP_THOUSAND_NATIONAL))
        _check_numbers(fname, df, limit)
        if known is not None and name in ("spending", "finance", "codes") and "ecode" in df:
            _check_known_codes(fname, df, known)
        if key is not None:
            _check_signs(fname, df, key, rules, principal)
        if councils is not None and name in ("spending", "finance"):
            _check_complete(fname, df, str(key), councils, years, 0 if name == "spending" else 1)
        if name == "england":
            _check_england_complete(fname, df, years)


#: Ranges of the numbers of ``council_geography.csv`` (England: the British National Grid
#: and degrees of its extremes, with a margin; an IMD score is 0..100).
GEOGRAPHY_RANGES: dict[str, tuple[float, float]] = {
    "area_km2": (1.0, 10_000.0),
    "easting_m": (80_000.0, 660_000.0),
    "northing_m": (0.0, 660_000.0),
    "latitude": (49.8, 55.9),
    "longitude": (-6.5, 1.8),
    "imd2010_score": (0.0, 100.0),
}
_PLACE_COLUMNS = ("area_km2", "easting_m", "northing_m", "latitude", "longitude")


def check_geography(df: pd.DataFrame, councils: pd.DataFrame, fname: str = "council_geography.csv") -> None:
    """Domain rules of the geography table (as :func:`sharedservices.inputs.data.geography` loads it).

    * every principal council of ``councils.csv`` has exactly one row, and no body that
      ``councils.csv`` lists as not principal has one;
    * every number is finite and within :data:`GEOGRAPHY_RANGES`;
    * a council's area and centre are all present or all blank, and blank exactly when
      ``geography_basis`` starts ``missing:``; the same for ``imd2010_score`` and
      ``deprivation_basis``.

    Examples
    --------
    >>> councils = pd.DataFrame({"ecode": ["E0101"], "name": ["A"], "principal": [True]})
    >>> df = pd.DataFrame({"ecode": ["E0101"], "area_km2": [-3.0], "easting_m": [4e5],
    ...     "northing_m": [2e5], "latitude": [51.0], "longitude": [-1.0],
    ...     "geography_basis": ["own row"], "imd2010_score": [20.0], "deprivation_basis": ["own"]})
    >>> check_geography(df, councils)
    Traceback (most recent call last):
    ...
    sharedservices.errors.DataError: council_geography.csv: row 2 (E0101), column 'area_km2': -3 is out of range (rule: 1 to 10,000)
    """
    principal = councils.loc[councils["principal"].astype(bool)]
    have = set(df["ecode"])
    absent = principal.loc[~principal["ecode"].isin(have)]
    if len(absent):
        first = absent.iloc[0]
        raise DataError(f"{fname}: no row for {first['ecode']} ({first['name']}){_more(~principal['ecode'].isin(have))} "
                        "(rule: one row for every principal council of councils.csv; a value that "
                        "cannot be had is blank with its reason)")
    # a row for a code councils.csv does not hold is allowed (a test fixture may hold a subset of the
    # councils); a row for a body that councils.csv says is not a principal council is not
    other = set(councils.loc[~councils["principal"].astype(bool), "ecode"])
    extra = df.loc[df["ecode"].isin(other)]
    if len(extra):
        raise DataError(f"{fname}: {_row(df, extra.index[0])}: ecode {show(extra['ecode'].iloc[0])} is not a "
                        "principal council in councils.csv (rule: principal councils only)")
    for col, (low, high) in GEOGRAPHY_RANGES.items():
        values = df[col]
        finite = np.isfinite(values.to_numpy(dtype=float))
        bad = values.notna() & (~finite | (values < low) | (values > high))
        i = _first(bad)
        if i is not None:
            raise DataError(f"{fname}: {_row(df, i)} ({df.at[i, 'ecode']}), column {col!r}: {values[i]:,.10g} is "
                            f"out of range{_more(bad)} (rule: {low:,.10g} to {high:,.10g})")
    for cols, basis in ((_PLACE_COLUMNS, "geography_basis"), (("imd2010_score",), "deprivation_basis")):
        blank = df[list(cols)].isna()
        partial = blank.any(axis=1) & ~blank.all(axis=1)
        said = df[basis].astype(str).str.startswith("missing:")
        wrong = partial | (blank.all(axis=1) != said)
        i = _first(wrong)
        if i is not None:
            raise DataError(f"{fname}: {_row(df, i)} ({df.at[i, 'ecode']}): {', '.join(cols)} blank="
                            f"{bool(blank.loc[i].all())} but {basis} is {show(df.at[i, basis])} (rule: the "
                            f"values are blank exactly when {basis} starts 'missing:', and then all of them)")


# --------------------------------------------------------------------------------------
# Assumptions


@dataclass(frozen=True)
class AssumptionRule:
    """The range of every number in the values whose ``file.key`` matches ``pattern``.

    ``fields``: only numbers stored under these names inside a table-like value (e.g. the
    ``rate`` of each row of a discount schedule); empty: every number in the value.
    """

    pattern: str
    minimum: float | None
    maximum: float | None
    what: str
    fields: tuple[str, ...] = ()

    def allowed(self) -> str:
        lo = "" if self.minimum is None else f"{self.minimum:g}"
        hi = "" if self.maximum is None else f"{self.maximum:g}"
        if lo and hi:
            span = f"{lo} to {hi}"
        else:
            span = f"at least {lo}" if lo else f"at most {hi}"
        return f"{self.what}, {span}"


_RATE = "an interest or discount rate, a fraction per year"
#: Ranges of the assumptions, first match wins (``fnmatch`` patterns over ``file.key``).
#: A value no pattern matches is only required to be finite (the loader checks that).
ASSUMPTION_RULES: tuple[AssumptionRule, ...] = (
    AssumptionRule("financing.pwlb_rate_nominal", 0.0, 0.25, _RATE),
    AssumptionRule("financing.inflation_assumption", -0.1, 0.25, "an inflation rate, a fraction per year"),
    AssumptionRule("financing.*_years", 1.0, 60.0, "a term in years"),
    AssumptionRule("financing.*_share", 0.0, 1.0, "a share, a fraction"),
    AssumptionRule("financing.*_gbp_*", 0.0, None, "an amount of money"),
    AssumptionRule("discounting.standard_rate", 0.0, 0.25, _RATE),
    AssumptionRule("discounting.green_book_schedule", 0.0, 0.25, _RATE, fields=("rate",)),
    AssumptionRule("programmes.service.*.addressable_share", 0.0, 1.0,
                   "a share of the service's spending, a fraction"),
    AssumptionRule("programmes.service.*.savings_rate", 0.0, 1.0,
                   "a saving as a fraction of addressable spend a year"),
    AssumptionRule("programmes.service.*.running_cost_ratio", 0.0, 1.0,
                   "running costs as a fraction of the saving"),
    AssumptionRule("programmes.service.*.one_off_cost_ratio", 0.0, 20.0,
                   "one-off cost as a multiple of the annual saving"),
    AssumptionRule("programmes.service.*_years", 0.0, 30.0, "a duration in years"),
    AssumptionRule("programmes.back_office_overhead_share", 0.0, 1.0, "a share, a fraction"),
    AssumptionRule("programmes.partnership.annual_failure_probability", 0.0, 1.0,
                   "a probability per year"),
    AssumptionRule("programmes.spread.*", 0.0, 10.0, "a standard deviation"),
    AssumptionRule("demand.*_growth", -0.5, 0.5, "a growth rate, a fraction per year"),
    AssumptionRule("optimism_bias.table", 0.0, 5.0, "an uplift, a fraction"),
    AssumptionRule("prices.gdp_deflator", 1.0, 1000.0, "a price index (2010-11 = 100)"),
    AssumptionRule("scale.*_km", 0.0, 1000.0, "a distance in km (England is under 1,000 km across)"),
    AssumptionRule("sr2010.revenue_spending_power_change", -1.0, 1.0,
                   "a change, a fraction of the previous year"),
    AssumptionRule("sr2010.*_gbp_*", 0.0, None, "an amount of money"),
    AssumptionRule("sr2010.period_years", 1.0, 20.0, "a number of years"),
    AssumptionRule("sr2010.*", 0.0, 1.0, "a cut or share, a fraction"),
    AssumptionRule("savings_evidence.*_gbp_*", 0.0, None, "an amount of money"),
    AssumptionRule("savings_evidence.*_years_*", 0.0, 60.0, "a number of years"),
    AssumptionRule("savings_evidence.*", 0.0, 1.0, "a share or rate, a fraction"),
    AssumptionRule("case_studies.*_gbp_*", 0.0, None, "an amount of money"),
    AssumptionRule("case_studies.*_rate", 0.0, 1.0, "a rate, a fraction"),
)


def _numbers(value: Any, fields: tuple[str, ...], inside: str | None = None) -> Iterator[float]:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int | float):
        if not fields or inside in fields:
            yield value
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, fields, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v, fields, inside)


def rule_for(key: str) -> AssumptionRule | None:
    """The first rule whose pattern matches ``file.key``, or None.

    Examples
    --------
    >>> rule_for("financing.pwlb_rate_nominal").allowed()
    'an interest or discount rate, a fraction per year, 0 to 0.25'
    >>> rule_for("programmes.service.central.savings_rate").maximum
    1.0
    """
    for rule in ASSUMPTION_RULES:
        if fnmatch.fnmatchcase(key, rule.pattern):
            return rule
    return None


def check_assumptions(values: dict[str, Any]) -> None:
    """Check every loaded assumption (``file.key`` -> :class:`~sharedservices.inputs.assumptions.Assumption`)
    against :data:`ASSUMPTION_RULES`.

    Raises
    ------
    DataError
        ``financing.yaml: key 'pwlb_rate_nominal': -0.9 is out of range (rule: ...)``.
    """
    for key in sorted(values):
        rule = rule_for(key)
        if rule is None:
            continue
        a = values[key]
        for x in _numbers(a.value, rule.fields):
            if not math.isfinite(x) or (rule.minimum is not None and x < rule.minimum) \
                    or (rule.maximum is not None and x > rule.maximum):
                inner = key.split(".", 1)[1]
                raise DataError(f"{a.file}: key {inner!r}: {show(x)} is out of range "
                                f"(rule: {rule.allowed()})")
