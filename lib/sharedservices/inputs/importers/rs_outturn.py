"""Read one DCLG Revenue Outturn Summary (RS) workbook into tidy records.

Columns are found by their header text, never by position: the header row is the row
whose cell reads ``E-code``; every header between the identifying columns and ``TOTAL
SERVICE EXPENDITURE`` must be a known service line, and each year must carry exactly the
lines it is expected to carry (social care splits in 2011-12, public health appears in
2013-14, business rates retention replaces redistributed rates in 2013-14).  Anything
else stops with a :class:`~sharedservices.errors.DataError` naming the file, sheet, row
and column.

Values are £ thousand, cash, as printed.  Income lines the workbooks print as negative
numbers are flipped so that every income line is positive (see :data:`INCOME_ITEMS`).
Cells holding a recognised not-available marker (:data:`NOT_AVAILABLE_MARKERS`) are kept
as missing values and flagged ``not_collected``; any other text in a number column is an
error.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sharedservices.errors import DataError

#: Financial years the importer knows, in order.
YEARS: tuple[str, ...] = ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18")

#: Authority classes used by the RS workbooks.
CLASSES: tuple[str, ...] = ("SC", "SD", "UA", "MD", "L", "O")

#: Text the workbooks print where a value was not collected or does not apply.
#: ``…`` (one character) fills Copeland's grossed row in 2017-18; ``...`` fills two unused
#: interest columns in 2017-18; ``-`` and ``n/a`` appear in a few HRA and council tax
#: support cells.  Only ``…`` occurs in lines the importer stores.
NOT_AVAILABLE_MARKERS: frozenset[str] = frozenset({"\u2026", "...", "-", "n/a"})

#: Text in the cell beside the name that marks a row DCLG estimated ("grossed") because the
#: council made no return.
GROSSED_MARKER = "Grossed"

#: Header text of the one column that holds Yes/No text rather than numbers.
_TEXT_COLUMNS = re.compile(r"^please confirm", re.I)

#: Service-line slugs and the header text (normalised: lower case, single spaces) that
#: marks each one.  Order is the workbook order.
SERVICE_HEADERS: dict[str, re.Pattern[str]] = {
    "education": re.compile(r"^education services$"),
    "highways_transport": re.compile(r"^highways and transport services$"),
    "social_care": re.compile(r"^social care$"),
    "childrens_social_care": re.compile(r"^children'?s? social care$"),
    "adult_social_care": re.compile(r"^adult social care$"),
    "public_health": re.compile(r"^public health$"),
    "housing": re.compile(r"^housing services \(gfra only\)$"),
    "cultural": re.compile(r"^cultural and related services$"),
    "environmental_regulatory": re.compile(r"^environmental and regulatory services$"),
    "planning_development": re.compile(r"^planning and development services$"),
    "police": re.compile(r"^police services$"),
    "fire": re.compile(r"^fire and rescue services$"),
    "central": re.compile(r"^central services$"),
    "other": re.compile(r"^other services$"),
    "total_service_expenditure": re.compile(r"^total service expenditure"),
}

#: Lines after the service block that are stored in ``spending``.
SPENDING_TOTALS: dict[str, re.Pattern[str]] = {
    "net_current_expenditure": re.compile(r"^net current expenditure"),
}

#: Financing items and reserve levels stored in ``finance``.  Reserve levels: the 2017-18
#: workbook gives levels at 1 April 2017 and at 31 March 2018; the year-end one is taken.
FINANCE_HEADERS: dict[str, re.Pattern[str]] = {
    "specific_grants_inside_aef": re.compile(r"^specific and special (revenue )?grants inside aef"),
    "area_based_grant": re.compile(r"^area based grant"),
    "local_services_support_grant": re.compile(r"^local services support grant"),
    "net_revenue_expenditure": re.compile(r"^net revenue expenditure"),
    "budget_requirement": re.compile(r"^the budget requirement"),
    "revenue_support_grant": re.compile(r"^revenue support grant$"),
    "redistributed_business_rates": re.compile(r"^redistributed non-domestic rates$"),
    "retained_business_rates": re.compile(r"^retained income from rate retention scheme"),
    "council_tax_requirement": re.compile(r"^council tax requirement"),
    "reserves_schools": re.compile(r"^(estimated )?schools reserves level( at 31 march)?$"),
    "reserves_public_health": re.compile(
        r"^(estimated )?public health financial reserves level( at 31 march)?$"
    ),
    "reserves_earmarked": re.compile(
        r"^(estimated )?other earmarked financial reserves level( at 31 march)?$"
    ),
    "reserves_unallocated": re.compile(
        r"^(estimated )?unallocated financial reserves level( at 31 march)?$"
    ),
}

#: Income lines the workbooks print as negative numbers; stored positive (sign flipped).
INCOME_ITEMS: frozenset[str] = frozenset(
    {
        "specific_grants_inside_aef",
        "area_based_grant",
        "local_services_support_grant",
        "revenue_support_grant",
        "redistributed_business_rates",
        "retained_business_rates",
    }
)

RESERVE_ITEMS: tuple[str, ...] = (
    "reserves_schools",
    "reserves_public_health",
    "reserves_earmarked",
    "reserves_unallocated",
)

_ECODE = re.compile(r"^E\d{4}$")
#: A footnote marker after a name, e.g. "Havant (e)" in 2017-18; dropped from names.
_FOOTNOTE = re.compile(r"\s*\([a-z]\)$")
_SHEET = re.compile(r"^RS LA Data (\d{4}-\d{2})( \(1\))?$")
_CLASS_ROWS = {
    "LONDON BOROUGHS": "L",
    "METROPOLITAN DISTRICTS": "MD",
    "UNITARY AUTHORITIES": "UA",
    "SHIRE COUNTIES": "SC",
    "SHIRE DISTRICTS": "SD",
    "OTHER AUTHORITIES": "O",
}


def expected_services(year: str) -> tuple[str, ...]:
    """Service-line slugs a year's workbook must carry, in workbook order.

    Parameters
    ----------
    year : str
        Financial year such as ``'2010-11'``.

    Returns
    -------
    tuple of str
        Slugs of :data:`SERVICE_HEADERS` plus ``net_current_expenditure``.

    Examples
    --------
    >>> "social_care" in expected_services("2010-11")
    True
    >>> [s for s in expected_services("2013-14") if "care" in s or "health" in s]
    ['childrens_social_care', 'adult_social_care', 'public_health']
    """
    first = YEARS.index(year) if year in YEARS else len(YEARS)
    out = []
    for slug in SERVICE_HEADERS:
        if slug == "social_care" and year != "2010-11":
            continue
        if slug in ("childrens_social_care", "adult_social_care") and year == "2010-11":
            continue
        if slug == "public_health" and first < YEARS.index("2013-14"):
            continue
        out.append(slug)
    out.append("net_current_expenditure")
    return tuple(out)


def expected_items(year: str) -> tuple[str, ...]:
    """Finance items a year's workbook must carry.

    Examples
    --------
    >>> expected_items("2010-11")[:3]
    ('specific_grants_inside_aef', 'area_based_grant', 'net_revenue_expenditure')
    >>> "retained_business_rates" in expected_items("2013-14")
    True
    >>> "budget_requirement" in expected_items("2012-13")
    False
    """
    i = YEARS.index(year) if year in YEARS else len(YEARS)
    retention = i >= YEARS.index("2013-14")
    out = []
    for item in FINANCE_HEADERS:
        if item == "area_based_grant" and year != "2010-11":
            continue
        if item == "local_services_support_grant" and year == "2010-11":
            continue
        if item == "budget_requirement" and year not in ("2010-11", "2011-12"):
            continue
        if item == "redistributed_business_rates" and retention:
            continue
        if item in ("retained_business_rates", "reserves_public_health") and not retention:
            continue
        out.append(item)
    return tuple(out)


def normalise_header(text: object) -> str:
    """Lower-case a header cell and collapse its white space.

    Examples
    --------
    >>> normalise_header("  NET CURRENT\\nEXPENDITURE ")
    'net current expenditure'
    >>> normalise_header(None)
    ''
    """
    if text is None:
        return ""
    return " ".join(str(text).split()).lower()


@dataclass
class RsYear:
    """One workbook, read and checked.

    ``values`` maps ``(ecode, line)`` to £ thousand as printed (not yet sign-flipped;
    NaN where a marker stood); ``england`` and ``class_totals`` hold the printed total rows.
    """

    path: Path
    sheet: str
    year: str
    authorities: dict[str, dict[str, Any]]
    values: dict[tuple[str, str], float]
    england: dict[str, float]
    class_totals: dict[str, dict[str, float]]
    grossed: list[str]
    markers: Counter[tuple[str, str]] = field(default_factory=Counter)
    reserves_as_at: str = ""
    lines: tuple[str, ...] = ()


def _cell_to_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _col_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def _where(path: Path, sheet: str, row: int | None = None, col: int | None = None) -> str:
    out = f"{path.name}: sheet '{sheet}'"
    if row is not None:
        out += f", row {row + 1}"
    if col is not None:
        out += f", column {_col_letter(col)}"
    return out


def read_sheet_rows(path: Path) -> tuple[str, list[list[Any]]]:
    """Return the name and cell values of a workbook's RS data sheet.

    The sheet is the one named ``RS LA Data YYYY-YY`` (optionally with `` (1)``).
    Empty cells are ``None``.  Reads ``.xls`` with xlrd and ``.xlsx`` with openpyxl.

    Raises
    ------
    DataError
        If the file is missing, empty, truncated or unreadable, or has no RS data sheet.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: raw workbook not found (allowed: an RS workbook; see data/raw/README.md)")
    if path.stat().st_size == 0:
        raise DataError(f"{path.name}: file is empty (0 bytes); download it again (see data/raw/README.md)")
    suffix = path.suffix.lower()
    try:
        if suffix == ".xls":
            import xlrd

            book = xlrd.open_workbook(str(path), on_demand=True)
            names = book.sheet_names()
            name = _pick_sheet(path, names)
            sh = book.sheet_by_name(name)
            rows = []
            for r in range(sh.nrows):
                row: list[Any] = []
                for c, t in enumerate(sh.row_types(r)):
                    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif t == xlrd.XL_CELL_ERROR:
                        row.append("#ERROR")
                    else:
                        row.append(sh.cell_value(r, c))
                rows.append(row)
            book.release_resources()
        elif suffix == ".xlsx":
            import warnings

            import openpyxl

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # print-area names openpyxl can't set
                book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                name = _pick_sheet(path, book.sheetnames)
                rows = [list(r) for r in book[name].iter_rows(values_only=True)]
            finally:
                book.close()
        else:
            raise DataError(f"{path.name}: unsupported file type {suffix!r} (allowed: .xls, .xlsx)")
    except DataError:
        raise
    except Exception as exc:  # xlrd/openpyxl/zipfile raise many types on damaged files
        raise DataError(
            f"{path.name}: cannot be read as a workbook ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:120]}); the file may be truncated or damaged"
        ) from exc
    rows = [["" if (isinstance(v, str) and not v.strip()) else v for v in r] for r in rows]
    rows = [[None if v == "" else v for v in r] for r in rows]
    return name, rows


def _pick_sheet(path: Path, names: Sequence[str]) -> str:
    hits = [n for n in names if _SHEET.match(n.strip())]
    if not hits:
        raise DataError(
            f"{path.name}: no sheet named 'RS LA Data YYYY-YY' or 'RS LA Data YYYY-YY (1)' "
            f"(sheets: {', '.join(names)})"
        )
    return sorted(hits, key=lambda n: ("(1)" not in n, n))[0]


def _find_header_row(path: Path, sheet: str, rows: list[list[Any]]) -> int:
    for r, row in enumerate(rows[:20]):
        if any(normalise_header(v) == "e-code" for v in row):
            return r
    raise DataError(f"{_where(path, sheet)}: header 'E-code' not found in the first 20 rows")


def _find(headers: list[str], pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int | None:
    stop = len(headers) if stop is None else stop
    for c in range(start, stop):
        if pattern.search(headers[c]):
            return c
    return None


def _group_label(rows: list[list[Any]], header_row: int, col: int) -> str:
    """Nearest non-empty label at or left of ``col`` in the two rows above the header."""
    for r in (header_row - 1, header_row - 2):
        if r < 0:
            continue
        row = rows[r]
        for c in range(min(col, len(row) - 1), -1, -1):
            text = normalise_header(row[c])
            if text and not text.isdigit():
                return " ".join(str(row[c]).split())
    return ""


def _number(path: Path, sheet: str, r: int, c: int, header: str, v: Any,
            markers: Counter[tuple[str, str]]) -> float:
    if isinstance(v, bool):
        raise DataError(f"{_where(path, sheet, r, c)} ('{header}'): {v!r} is not a number")
    if isinstance(v, int | float):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            raise DataError(f"{_where(path, sheet, r, c)} ('{header}'): {v!r} is not a finite number")
        return f
    if v is None:
        raise DataError(
            f"{_where(path, sheet, r, c)} ('{header}'): empty cell "
            f"(allowed: a number or a not-available marker {sorted(NOT_AVAILABLE_MARKERS)})"
        )
    text = str(v).strip()
    if text in NOT_AVAILABLE_MARKERS:
        markers[(header, text)] += 1
        return math.nan
    raise DataError(
        f"{_where(path, sheet, r, c)} ('{header}'): text {text[:40]!r} where a number is expected "
        f"(allowed: a number or a not-available marker {sorted(NOT_AVAILABLE_MARKERS)})"
    )


def read_rs_workbook(path: Path) -> RsYear:
    """Read and check one RS workbook.

    Parameters
    ----------
    path : Path
        An ``.xls`` or ``.xlsx`` RS workbook as published by DCLG/MHCLG.

    Returns
    -------
    RsYear
        Authorities (code, name, class, ONS code and region where given), the values of
        every spending and finance line (£ thousand, cash, signs as printed), the ENGLAND
        and class total rows, the grossed rows and the not-available markers found.

    Raises
    ------
    DataError
        On a missing or unexpected header, text in a number, a duplicated authority, a
        missing ENGLAND row (truncated sheet), or an unreadable file; the message names
        the file, sheet, row and column.
    """
    path = Path(path)
    sheet, rows = read_sheet_rows(path)
    year = _SHEET.match(sheet.strip()).group(1)  # type: ignore[union-attr]
    if year not in YEARS:
        raise DataError(f"{_where(path, sheet)}: year {year!r} is not one the importer knows (allowed: {', '.join(YEARS)})")
    hr = _find_header_row(path, sheet, rows)
    raw_headers = rows[hr]
    headers = [normalise_header(v) for v in raw_headers]

    def need(label: str, pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int:
        c = _find(headers, pattern, start, stop)
        if c is None:
            raise DataError(f"{_where(path, sheet, hr)}: missing header '{label}'")
        return c

    c_code = need("E-code", re.compile(r"^e-code$"))
    c_name = need("Local authority", re.compile(r"^local authority$"))
    c_class = need("Class", re.compile(r"^class$"))
    c_ons = _find(headers, re.compile(r"^ons code$"))
    c_region = _find(headers, re.compile(r"^region$"))
    id_cols = [c for c in (c_code, c_name, c_class, c_ons, c_region) if c is not None]
    c_tse = need("TOTAL SERVICE EXPENDITURE", SERVICE_HEADERS["total_service_expenditure"])

    # The service block: every header between the identifiers and TOTAL SERVICE EXPENDITURE.
    wanted = expected_services(year)
    cols: dict[str, int] = {}
    for c in range(max(id_cols) + 1, c_tse + 1):
        h = headers[c]
        if not h:
            continue
        slug = next((s for s, p in SERVICE_HEADERS.items() if p.search(h)), None)
        if slug is None or slug not in wanted:
            raise DataError(
                f"{_where(path, sheet, hr, c)}: unexpected header {str(raw_headers[c]).strip()!r} "
                f"in the service lines for {year} (allowed: {', '.join(wanted[:-1])})"
            )
        if slug in cols:
            raise DataError(f"{_where(path, sheet, hr, c)}: header {str(raw_headers[c]).strip()!r} appears twice")
        cols[slug] = c
    for slug in wanted[:-1]:
        if slug not in cols:
            raise DataError(f"{_where(path, sheet, hr)}: missing header for service line '{slug}' ({year})")
    cols["net_current_expenditure"] = need(
        "NET CURRENT EXPENDITURE", SPENDING_TOTALS["net_current_expenditure"], c_tse + 1
    )
    items = expected_items(year)
    for item, pattern in FINANCE_HEADERS.items():
        found = _find(headers, pattern, cols["net_current_expenditure"] + 1)
        if item in items:
            if found is None:
                raise DataError(f"{_where(path, sheet, hr)}: missing header for '{item}' ({year})")
            cols[item] = found
        elif found is not None:
            raise DataError(
                f"{_where(path, sheet, hr, found)}: unexpected header {str(raw_headers[found]).strip()!r} "
                f"('{item}' is not expected in {year}; the importer's year rules need updating)"
            )
    reserves_as_at = _group_label(rows, hr, cols["reserves_schools"])
    lines = tuple(wanted) + items

    # Authority rows run from below the header to the ENGLAND row.
    england_row = None
    for r in range(hr + 1, len(rows)):
        if normalise_header(_get(rows[r], c_name)) == "england":
            england_row = r
            break
    if england_row is None:
        raise DataError(
            f"{_where(path, sheet)}: no ENGLAND total row below the authorities "
            f"(the sheet ends at row {len(rows)}; the file may be truncated)"
        )
    authorities: dict[str, dict[str, Any]] = {}
    seen_at: dict[str, int] = {}
    values: dict[tuple[str, str], float] = {}
    markers: Counter[tuple[str, str]] = Counter()
    grossed: list[str] = []
    blank_cols = [c for c, h in enumerate(headers) if not h]
    scan_cols = [
        c for c, h in enumerate(headers)
        if h and c not in id_cols and not _TEXT_COLUMNS.search(h)
    ]
    for r in range(hr + 1, england_row):
        row = rows[r]
        code = _cell_to_text(_get(row, c_code))
        if not code:
            if any(_get(row, c) is not None for c in scan_cols):
                raise DataError(f"{_where(path, sheet, r, c_code)}: values in a row with no E-code")
            continue
        if not _ECODE.match(code):
            raise DataError(f"{_where(path, sheet, r, c_code)}: E-code {code!r} is not of the form E1234")
        if code in authorities:
            raise DataError(
                f"{_where(path, sheet, r, c_code)}: authority {code} appears twice "
                f"(rows {seen_at[code] + 1} and {r + 1})"
            )
        klass = _cell_to_text(_get(row, c_class))
        if klass not in CLASSES:
            raise DataError(f"{_where(path, sheet, r, c_class)}: class {klass!r} for {code} (allowed: {', '.join(CLASSES)})")
        name = _FOOTNOTE.sub("", _cell_to_text(_get(row, c_name)))
        if not name:
            raise DataError(f"{_where(path, sheet, r, c_name)}: authority {code} has no name")
        is_grossed = False
        for c in blank_cols:
            v = _cell_to_text(_get(row, c))
            if v == GROSSED_MARKER:
                is_grossed = True
            elif v:
                raise DataError(f"{_where(path, sheet, r, c)}: unexpected value {v[:40]!r} under a column with no header")
        if is_grossed:
            grossed.append(code)
        seen_at[code] = r
        authorities[code] = {
            "ecode": code,
            "name": name,
            "class": klass,
            "ons_code": _clean_ons(_cell_to_text(_get(row, c_ons))) if c_ons is not None else None,
            "region": (_cell_to_text(_get(row, c_region)) or None) if c_region is not None else None,
        }
        # Every number column is checked, not only the imported ones.
        for c in scan_cols:
            v = _get(row, c)
            if v is None:
                continue
            _number(path, sheet, r, c, str(raw_headers[c]).strip(), v,
                    Counter() if is_grossed else markers)
        for line in lines:
            c = cols[line]
            values[(code, line)] = _number(
                path, sheet, r, c, str(raw_headers[c]).strip(), _get(row, c), Counter()
            )
    if not authorities:
        raise DataError(f"{_where(path, sheet)}: no authority rows between the header and the ENGLAND row")
    england = {
        line: _number(path, sheet, england_row, cols[line], line, _get(rows[england_row], cols[line]), Counter())
        for line in lines
    }
    class_totals: dict[str, dict[str, float]] = {}
    for r in range(england_row + 1, len(rows)):
        label = normalise_header(_get(rows[r], c_name)).upper()
        if label in _CLASS_ROWS:
            class_totals[_CLASS_ROWS[label]] = {
                line: _number(path, sheet, r, cols[line], line, _get(rows[r], cols[line]), Counter())
                for line in lines
            }
    return RsYear(
        path=path,
        sheet=sheet,
        year=year,
        authorities=authorities,
        values=values,
        england=england,
        class_totals=class_totals,
        grossed=grossed,
        markers=markers,
        reserves_as_at=reserves_as_at,
        lines=lines,
    )


def _get(row: list[Any], c: int | None) -> Any:
    if c is None or c >= len(row):
        return None
    return row[c]


def _clean_ons(text: str) -> str | None:
    return text if re.match(r"^E\d{8}$", text) else None
