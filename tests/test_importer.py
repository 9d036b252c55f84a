"""The importer: real workbooks (when RAW_DIR holds them) and small corrupted workbooks."""

from __future__ import annotations

import filecmp
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sharedservices.errors import DataError
from sharedservices.inputs import paths
from sharedservices.inputs.importers import KNOWN_SOURCES, _checksums, format_number, run_import
from sharedservices.inputs.importers.checks import EXPECTED_COUNTS, check_counts, check_totals
from sharedservices.inputs.importers.rs_outturn import (
    INCOME_ITEMS,
    expected_items,
    expected_services,
    read_rs_workbook,
)

RAW = paths.raw_dir()
HAVE_RAW = all((RAW / rel).is_file() for rel in KNOWN_SOURCES)
needs_raw = pytest.mark.skipif(
    not HAVE_RAW,
    reason=f"RAW_DIR={RAW} does not hold the official workbooks (CI sets RAW_DIR=../shared/data/raw)",
)
PROCESSED = paths.DATA_DIR / "processed"

# ---------------------------------------------------------------- synthetic workbooks

_HEADER_TEXT = {
    "education": "Education services",
    "highways_transport": "Highways and transport services",
    "childrens_social_care": "Children Social Care",
    "adult_social_care": "Adult Social Care",
    "public_health": "Public Health",
    "housing": "Housing services (GFRA only)",
    "cultural": "Cultural and related services",
    "environmental_regulatory": "Environmental and regulatory services",
    "planning_development": "Planning and development services",
    "police": "Police services",
    "fire": "Fire and rescue services",
    "central": "Central services",
    "other": "Other services",
    "total_service_expenditure": "TOTAL SERVICE EXPENDITURE (TOTAL OF LINES 190 to 698)",
    "net_current_expenditure": "NET CURRENT EXPENDITURE(TOTAL OF LINES 699to748)",
    "local_services_support_grant": "Local Services Support Grant (LSSG)",
    "specific_grants_inside_aef": "Specific and special revenue grants inside AEF",
    "net_revenue_expenditure": "NET REVENUE EXPENDITURE (TOTAL OF LINES 800 TO 804)",
    "revenue_support_grant": "Revenue Support Grant",
    "retained_business_rates": "Retained income from Rate Retention Scheme",
    "council_tax_requirement": "COUNCIL TAX REQUIREMENT (TOTAL OF LINES 805 TO 880)",
    "reserves_schools": "Schools reserves level",
    "reserves_public_health": "Public Health financial reserves level",
    "reserves_earmarked": "Other earmarked financial reserves level",
    "reserves_unallocated": "Unallocated financial reserves level",
}
YEAR = "2014-15"
LINES = expected_services(YEAR) + expected_items(YEAR)
AUTHS = [("E0101", "E06000022", "Bath UA", "SW", "UA"),
         ("E0102", "E06000023", "Bristol UA", "SW", "UA"),
         ("E5030", "E09000001", "City of London", "L", "L")]


def _value(i: int, j: int, line: str) -> float:
    v = float(100 * (i + 1) + j)
    return -v if line in INCOME_ITEMS else v


def make_workbook(path: Path, *, drop: str | None = None, extra_header: str | None = None,
                  cell: tuple[int, str, object] | None = None, duplicate: bool = False,
                  england_off: float = 0.0, no_england: bool = False) -> Path:
    """A small RS-like 2014-15 workbook (.xlsx) with three authorities and true totals."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"RS LA Data {YEAR} (1)"
    lines = [ln for ln in LINES if ln != drop]
    headers = ["E-code", "ONS Code", "Local authority", "Region", "Class", None]
    headers += [_HEADER_TEXT[ln] for ln in lines]
    if extra_header:
        headers.insert(7, extra_header)
    group = [None] * len(headers)
    group[headers.index("Schools reserves level")] = "Financial reserves levels at 1 April 2014"
    ws.append(["Revenue Outturn Summary (RS): 2014-15 data"])
    ws.append([])
    ws.append(group)
    ws.append(headers)
    auths = AUTHS + ([AUTHS[0]] if duplicate else [])
    for i, a in enumerate(auths):
        row: list[object] = list(a) + [None]
        for h in headers[6:]:
            line = next(k for k, t in _HEADER_TEXT.items() if t == h) if h in _HEADER_TEXT.values() else None
            row.append(_value(i, lines.index(line), line) if line else 0.0)
        if cell and cell[0] == i:
            row[headers.index(_HEADER_TEXT[cell[1]])] = cell[2]
        ws.append(row)
    ws.append([])
    if not no_england:
        eng: list[object] = [None, None, "ENGLAND", None, None, None]
        for h in headers[6:]:
            if h in _HEADER_TEXT.values():
                line = next(k for k, t in _HEADER_TEXT.items() if t == h)
                eng.append(sum(_value(i, lines.index(line), line) for i in range(len(auths))) + england_off)
            else:
                eng.append(0.0)
        ws.append(eng)
    wb.save(path)
    return path


def test_synthetic_workbook_reads_and_adds_up(tmp_path: Path) -> None:
    rs = read_rs_workbook(make_workbook(tmp_path / "rs.xlsx"))
    assert rs.year == YEAR and sorted(rs.authorities) == ["E0101", "E0102", "E5030"]
    assert rs.authorities["E0101"]["ons_code"] == "E06000022"
    assert rs.values[("E0102", "central")] == _value(1, LINES.index("central"), "central")
    assert rs.reserves_as_at == "Financial reserves levels at 1 April 2014"
    assert set(check_totals(rs)) == set()  # nothing grossed, and every line adds up


def test_england_mismatch_is_an_error(tmp_path: Path) -> None:
    rs = read_rs_workbook(make_workbook(tmp_path / "rs.xlsx", england_off=1.0))
    with pytest.raises(DataError, match=r"rs\.xlsx: 2014-15 '.*': authorities sum to .* ENGLAND row says"):
        check_totals(rs)


def test_wrong_count_per_class_is_an_error(tmp_path: Path) -> None:
    rs = read_rs_workbook(make_workbook(tmp_path / "rs.xlsx"))
    with pytest.raises(DataError, match=r"has 3 authorities .* expected 444"):
        check_counts(rs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drop": "central"}, r"rs\.xlsx: sheet 'RS LA Data 2014-15 \(1\)', row 4: missing header for service line 'central'"),
        ({"drop": "revenue_support_grant"}, r"rs\.xlsx: .*missing header for 'revenue_support_grant'"),
        ({"extra_header": "Social care"}, r"rs\.xlsx: .*row 4, column H: unexpected header 'Social care'"),
        ({"cell": (1, "housing", "12,3x")}, r"rs\.xlsx: .*row 6, column L \('Housing services \(GFRA only\)'\): text '12,3x' where a number is expected"),
        ({"cell": (0, "education", None)}, r"rs\.xlsx: .*row 5, column G .*empty cell"),
        ({"duplicate": True}, r"rs\.xlsx: .*row 8, column A: authority E0101 appears twice \(rows 5 and 8\)"),
        ({"no_england": True}, r"rs\.xlsx: .*no ENGLAND total row .* truncated"),
    ],
)
def test_corrupted_workbook_stops_naming_file_row_column(tmp_path: Path, kwargs: dict, message: str) -> None:
    path = make_workbook(tmp_path / "rs.xlsx", **kwargs)
    with pytest.raises(DataError, match=message) as err:
        read_rs_workbook(path)
    assert err.value.exit_code == 2
    assert "\n" not in str(err.value)


def test_marker_is_missing_and_recorded(tmp_path: Path) -> None:
    rs = read_rs_workbook(make_workbook(tmp_path / "rs.xlsx", cell=(2, "fire", "...")))
    assert math.isnan(rs.values[("E5030", "fire")])
    assert rs.markers[("Fire and rescue services", "...")] == 1
    with pytest.raises(DataError, match="missing for E5030, which is not marked as grossed"):
        check_totals(rs)


def test_truncated_and_empty_files(tmp_path: Path) -> None:
    good = make_workbook(tmp_path / "rs.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match=r"cut\.xlsx: cannot be read as a workbook .* truncated or damaged"):
        read_rs_workbook(cut)
    empty = tmp_path / "empty.xls"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.xls: file is empty"):
        read_rs_workbook(empty)


def test_checksum_differs_warns_and_strict_errors(tmp_path: Path) -> None:
    (tmp_path / "population").mkdir()
    p = tmp_path / "population" / "census_population_2011_2021_by_LAD2021_EW.csv"
    p.write_text("lad_code_2021\n")
    with pytest.warns(UserWarning, match="differs from the copy"):
        out = _checksums([p], tmp_path, strict=False)
    assert out[0]["sha256"] != KNOWN_SOURCES["population/census_population_2011_2021_by_LAD2021_EW.csv"]
    with pytest.raises(DataError, match=r"--strict"):
        _checksums([p], tmp_path, strict=True)


def test_format_number_is_fixed() -> None:
    assert [format_number(v) for v in (1.0, 0.1 + 0.2, -3.5, -0.0)] == ["1", "0.3", "-3.5", "0"]


# ---------------------------------------------------------------- the real workbooks

@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    run_import(RAW, strict=True, out_dir=out)
    return out


@needs_raw
@pytest.mark.parametrize("name", ["councils.csv", "codes.csv", "spending.csv", "finance.csv",
                                  "england.csv", "sources.json"])
def test_committed_tables_equal_a_fresh_import(fresh: Path, name: str) -> None:
    assert filecmp.cmp(fresh / name, PROCESSED / name, shallow=False), (
        f"data/processed/{name} differs from a fresh import: run `make data` and commit"
    )


@needs_raw
def test_fresh_import_counts_and_totals(fresh: Path) -> None:
    councils = pd.read_csv(fresh / "councils.csv")
    spending = pd.read_csv(fresh / "spending.csv")
    finance = pd.read_csv(fresh / "finance.csv")
    england = pd.read_csv(fresh / "england.csv").set_index(["year", "line"])["gbp_thousand"]
    klass = councils.set_index("ecode")["class"]
    for year, expected in EXPECTED_COUNTS.items():
        present = spending.loc[spending["year"] == year, "ecode"].drop_duplicates()
        assert klass[present].value_counts().to_dict() == expected
    both = pd.concat([spending.rename(columns={"service": "line"}), finance.rename(columns={"item": "line"})])
    sums = both.groupby(["year", "line"])["gbp_thousand"].sum()
    exact = [y for y in EXPECTED_COUNTS if y != "2017-18"]
    for (year, line), total in england.items():
        if year in exact:
            assert sums[(year, line)] == total, (year, line)
    # 2017-18: only Copeland is missing; the rest fall short of ENGLAND by its grossed value
    missing = both[both["status"] != "reported"]
    assert set(missing["ecode"]) == {"E0934"} and set(missing["year"]) == {"2017-18"}
    shortfall = england[("2017-18", "net_current_expenditure")] - sums[("2017-18", "net_current_expenditure")]
    assert 0 < shortfall < 0.001 * england[("2017-18", "net_current_expenditure")]
    # income stored positive
    for item in INCOME_ITEMS:
        if item in set(finance["item"]):
            assert england.xs(item, level="line").gt(0).all(), item
    # every key unique, every ecode known
    assert not spending.duplicated(["ecode", "year", "service"]).any()
    assert set(spending["ecode"]) | set(finance["ecode"]) <= set(councils["ecode"])


@needs_raw
def test_corrupted_raw_dir_stops_and_writes_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    name = "Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls"
    for rel in KNOWN_SOURCES:  # links to the real files, one truncated copy (an .xls)
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(name):
            data = (RAW / rel).read_bytes()
            (raw / rel).write_bytes(data[: len(data) // 3])
        else:
            (raw / rel).symlink_to(RAW / rel)
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match="sha256"), pytest.raises(
        DataError, match=r"2010-11_by_LA_-_27-Nov-2012-v2\.xls: cannot be read as a workbook"
    ):
        run_import(raw, out_dir=out)
    assert not out.exists()


def test_cli_exits_2_with_a_one_line_error_on_a_damaged_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "rs_outturn").mkdir()
    (tmp_path / "population").mkdir()
    (tmp_path / "rs_outturn" / "RS_2017-18_data_by_LA.xlsx").write_bytes(b"")
    (tmp_path / "population" / "census_population_2011_2021_by_LAD2021_EW.csv").write_text(
        "lad_code_2021,lad_name,census2011_usual_residents\nE06000001,Hartlepool,92028\n"
    )
    (tmp_path / "prices").mkdir()
    (tmp_path / "prices" / "hmt_gdp_deflator_calendar_years_dec2025.csv").write_text("year,gdp\n2010,69.1\n2011,70.8\n")
    proc = subprocess.run([sys.executable, "-m", "sharedservices", "data", "--raw-dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=paths.ROOT, timeout=120)
    assert proc.returncode == 2, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "RS_2017-18_data_by_LA.xlsx: file is empty" in last


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lad_code_2021,lad_name\nE06000001,Hartlepool\n", r"pop\.csv: missing column 'census2011_usual_residents'"),
        ("lad_code_2021,lad_name,census2011_usual_residents\nE06000001,Hartlepool,92k\n",
         r"pop\.csv: row 2, column 'census2011_usual_residents': '92k' is not a whole number"),
        ("lad_code_2021,lad_name,census2011_usual_residents\nE06000001,A,1\nE06000001,A,1\n",
         r"pop\.csv: district E06000001 appears twice"),
        ("", r"pop\.csv: file is empty"),
        ("lad_code_2021,lad_name,census2011_usual_residents\n", r"pop\.csv: no data rows"),
    ],
)
def test_corrupted_census_file(tmp_path: Path, text: str, message: str) -> None:
    from sharedservices.inputs.importers.population import read_census

    p = tmp_path / "pop.csv"
    p.write_text(text)
    with pytest.raises(DataError, match=message):
        read_census(p)
