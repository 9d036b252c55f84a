"""Checks the importer runs on every workbook and on the finished tables.

Each failure raises :class:`~sharedservices.errors.DataError` with a one-line message
naming the file (or table), the year, the line and the numbers that disagree.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sharedservices.errors import DataError
from sharedservices.inputs.importers.rs_outturn import CLASSES, RsYear

#: Authorities per class in each workbook (counted from the published files; a change means
#: a different or damaged file).  2017-18 adds one body: 445 authorities.
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    **{
        y: {"SC": 27, "SD": 201, "UA": 56, "MD": 36, "L": 33, "O": 91}
        for y in ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15")
    },
    "2017-18": {"SC": 27, "SD": 201, "UA": 56, "MD": 36, "L": 33, "O": 92},
}

#: Largest difference, £ thousand, accepted between a sum of fractional values and the
#: printed total (floating-point rounding only; whole-number years must match exactly).
FRACTIONAL_TOLERANCE = 1e-3


def check_counts(rs: RsYear) -> dict[str, int]:
    """Check the number of authorities per class against :data:`EXPECTED_COUNTS`.

    Returns
    -------
    dict
        Class -> count, as found.

    Examples
    --------
    >>> from pathlib import Path
    >>> rs = RsYear(Path("x.xls"), "RS LA Data 2011-12 (1)", "2011-12",
    ...             {"E0101": {"class": "UA"}}, {}, {}, {}, [])
    >>> check_counts(rs)
    Traceback (most recent call last):
    ...
    sharedservices.errors.DataError: x.xls: 2011-12 has 1 authorities (SC 0, SD 0, UA 1, MD 0, L 0, O 0); expected 444 (SC 27, SD 201, UA 56, MD 36, L 33, O 91)
    """
    found = Counter(a["class"] for a in rs.authorities.values())
    counts = {k: found.get(k, 0) for k in CLASSES}
    expected = EXPECTED_COUNTS.get(rs.year)
    if expected is not None and counts != expected:
        raise DataError(
            f"{rs.path.name}: {rs.year} has {sum(counts.values())} authorities "
            f"({', '.join(f'{k} {v}' for k, v in counts.items())}); expected "
            f"{sum(expected.values())} ({', '.join(f'{k} {v}' for k, v in expected.items())})"
        )
    return counts


def check_totals(rs: RsYear) -> dict[str, dict[str, float]]:
    """Check, for every line, that the authorities add up to the printed total rows.

    Whole-number workbooks (2010-11 to 2014-15) must match the ENGLAND row and each class
    row exactly.  Where rows are grossed (2017-18: Copeland was not collected and its
    cells hold markers) every class without a grossed council must match its class row,
    and the shortfall in the others is the grossed estimate DCLG included in the totals.

    Returns
    -------
    dict
        Grossed ecode -> line -> implied value (£ thousand, signs as printed), i.e. the
        ENGLAND row minus the sum of the collected rows.

    Examples
    --------
    >>> from pathlib import Path
    >>> rs = RsYear(Path("x.xls"), "s", "2011-12",
    ...             {"E1": {"class": "UA"}, "E2": {"class": "UA"}},
    ...             {("E1", "fire"): 1.0, ("E2", "fire"): 2.0}, {"fire": 4.0}, {}, [],
    ...             lines=("fire",))
    >>> check_totals(rs)
    Traceback (most recent call last):
    ...
    sharedservices.errors.DataError: x.xls: 2011-12 'fire': authorities sum to 3 but the ENGLAND row says 4 (difference 1)
    """
    fractional = any(not math.isnan(v) and not float(v).is_integer() for v in rs.values.values())
    tol = FRACTIONAL_TOLERANCE if fractional else 0.0
    grossed_classes = {rs.authorities[e]["class"] for e in rs.grossed}
    implied: dict[str, dict[str, float]] = {e: {} for e in rs.grossed}
    for line in rs.lines:
        by_class: dict[str, list[float]] = {k: [] for k in CLASSES}
        for (code, ln), v in rs.values.items():
            if ln == line and not math.isnan(v):
                by_class[rs.authorities[code]["class"]].append(v)
            elif ln == line and code not in rs.grossed:
                raise DataError(
                    f"{rs.path.name}: {rs.year} '{line}' is missing for {code}, which is not marked as grossed"
                )
        total = math.fsum(math.fsum(v) for v in by_class.values())
        england = rs.england[line]
        if not rs.grossed and abs(total - england) > tol:
            raise DataError(
                f"{rs.path.name}: {rs.year} '{line}': authorities sum to {total:,.10g} but the "
                f"ENGLAND row says {england:,.10g} (difference {england - total:,.10g})"
            )
        for k, row in rs.class_totals.items():
            s = math.fsum(by_class[k])
            if k not in grossed_classes and abs(s - row[line]) > tol:
                raise DataError(
                    f"{rs.path.name}: {rs.year} '{line}': class {k} sums to {s:,.10g} but its total "
                    f"row says {row[line]:,.10g}"
                )
        if rs.grossed:
            class_sum = math.fsum(row[line] for row in rs.class_totals.values())
            if abs(class_sum - england) > max(tol, FRACTIONAL_TOLERANCE):
                raise DataError(
                    f"{rs.path.name}: {rs.year} '{line}': class rows sum to {class_sum:,.10g} "
                    f"but the ENGLAND row says {england:,.10g}"
                )
            if len(rs.grossed) == 1:
                implied[rs.grossed[0]][line] = round(england - total, 6)
    return implied


def check_tables(tables: dict[str, Any]) -> None:
    """Check the finished tables: unique keys, known ecodes, flagged missing values.

    Parameters
    ----------
    tables : dict
        ``councils``, ``spending``, ``finance`` and ``codes`` DataFrames.
    """
    councils = tables["councils"]
    if councils["ecode"].duplicated().any():
        raise DataError(f"councils: ecode {councils.loc[councils['ecode'].duplicated(), 'ecode'].iloc[0]} appears twice")
    known = set(councils["ecode"])
    for name, key in (("spending", "service"), ("finance", "item")):
        df = tables[name]
        dup = df.duplicated(["ecode", "year", key])
        if dup.any():
            row = df[dup].iloc[0]
            raise DataError(f"{name}: duplicate ({row['ecode']}, {row['year']}, {row[key]})")
        unknown = sorted(set(df["ecode"]) - known)
        if unknown:
            raise DataError(f"{name}: ecode {unknown[0]} is not in councils ({len(unknown)} unknown)")
        missing = df["gbp_thousand"].isna()
        if (missing != (df["status"] != "reported")).any():
            raise DataError(f"{name}: a missing value is not flagged, or a flagged value is present")
    codes = tables["codes"]
    unknown = sorted(set(codes["ecode"]) - known)
    if unknown:
        raise DataError(f"codes: ecode {unknown[0]} is not in councils")
    if codes.duplicated(["code"]).any():
        raise DataError(f"codes: code {codes.loc[codes['code'].duplicated(), 'code'].iloc[0]} appears twice")
