"""HM Treasury's GDP deflator: calendar years in, financial years out.

The raw file (``prices/hmt_gdp_deflator_calendar_years_*.csv`` under ``RAW_DIR``) holds
HM Treasury's calendar-year GDP deflator at market prices.  The model deflates financial
years, so :func:`financial_year_index` turns the calendar series into financial years
(April to March: three quarters of calendar year t and one of t+1) and rebases it; the
importer checks that ``prices.gdp_deflator`` in ``data/assumptions/prices.yaml`` holds
exactly that series (:func:`check_assumed_series`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from pathlib import Path

from sharedservices.errors import DataError

__all__ = ["check_assumed_series", "financial_year_index", "read_calendar_deflator"]

#: Weight of calendar year t in financial year t-(t+1) (April to December).
CALENDAR_WEIGHT = 0.75


def read_calendar_deflator(path: Path) -> dict[int, float]:
    """Read a two-column CSV ``year, <index>`` of calendar-year deflator values.

    Raises
    ------
    DataError
        Missing file, wrong header, a year that is not a whole number, a value that is not
        a positive finite number, a repeated or missing year; the message names the file
        and the row.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = p.write_text("year,gdp_deflator_2024_100\\n2010,69.1\\n2011,70.8\\n")
    >>> read_calendar_deflator(p)
    {2010: 69.1, 2011: 70.8}
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: GDP deflator file not found (allowed: see data/raw/README.md)")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or len(rows[0]) != 2 or rows[0][0].strip().lower() != "year":
        raise DataError(f"{path.name}: header {rows[0] if rows else []!r} (allowed: year, <index column>)")
    out: dict[int, float] = {}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != 2:
            raise DataError(f"{path.name}: row {i} has {len(row)} cells (allowed: 2)")
        try:
            year = int(row[0])
            value = float(row[1])
        except ValueError:
            raise DataError(f"{path.name}: row {i}: {row!r} is not a year and a number") from None
        if not (math.isfinite(value) and value > 0):
            raise DataError(f"{path.name}: row {i}: index {row[1]!r} (allowed: a positive finite number)")
        if year in out:
            raise DataError(f"{path.name}: row {i}: year {year} appears twice")
        out[year] = value
    years = sorted(out)
    if not years or years != list(range(years[0], years[-1] + 1)):
        raise DataError(f"{path.name}: years {years[:1]}..{years[-1:]} are not consecutive (allowed: one row per year)")
    return out


def financial_year_index(calendar: Mapping[int, float], base: str = "2010-11", decimals: int = 3) -> dict[str, float]:
    """Financial-year index from calendar years, rebased so that ``base`` = 100.

    ``FY t-(t+1) = 0.75 x calendar t + 0.25 x calendar t+1``, for every t with both years.

    Parameters
    ----------
    calendar : mapping of int to float
        Calendar year -> index (any base).
    base : str
        The financial year set to 100.
    decimals : int
        Rounding of the result.

    Returns
    -------
    dict of str to float
        ``'2010-11'`` style labels, in order.

    Examples
    --------
    >>> financial_year_index({2010: 100.0, 2011: 104.0, 2012: 108.0})
    {'2010-11': 100.0, '2011-12': 103.96}
    """
    raw: dict[str, float] = {}
    for t in sorted(calendar):
        if t + 1 in calendar:
            raw[f"{t}-{(t + 1) % 100:02d}"] = CALENDAR_WEIGHT * calendar[t] + (1 - CALENDAR_WEIGHT) * calendar[t + 1]
    if base not in raw:
        raise DataError(f"GDP deflator: no calendar years for {base} (allowed: a year the file covers)")
    b = raw[base]
    return {k: round(100.0 * v / b, decimals) for k, v in raw.items()}


def check_assumed_series(derived: Mapping[str, float], assumed: Mapping[str, float], tolerance: float = 5e-4) -> None:
    """Stop unless ``prices.gdp_deflator`` equals the series derived from the raw file.

    Raises
    ------
    DataError
        Naming the first year that differs or is missing.

    Examples
    --------
    >>> check_assumed_series({"2010-11": 100.0}, {"2010-11": 100.0})
    >>> check_assumed_series({"2010-11": 100.0}, {"2010-11": 99.0})
    Traceback (most recent call last):
    ...
    sharedservices.errors.DataError: prices.yaml: gdp_deflator['2010-11'] is 99.0 but the raw HM Treasury file gives 100.0 (update data/assumptions/prices.yaml)
    """
    for year, v in assumed.items():
        if year not in derived:
            raise DataError(f"prices.yaml: gdp_deflator[{year!r}] has no calendar years in the raw HM Treasury file")
        if abs(float(v) - derived[year]) > tolerance:
            raise DataError(
                f"prices.yaml: gdp_deflator[{year!r}] is {v} but the raw HM Treasury file gives {derived[year]} "
                "(update data/assumptions/prices.yaml)"
            )
