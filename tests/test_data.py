"""sharedservices.inputs.data: loading, validation, caching, council selection."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sharedservices.errors import DataError, InputError
from sharedservices.inputs import data, paths

PROCESSED = paths.DATA_DIR / "processed"


@pytest.fixture
def processed_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the committed tables, with the data module pointed at it."""
    d = tmp_path / "processed"
    shutil.copytree(PROCESSED, d)
    for p in d.iterdir():
        p.chmod(0o644)
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(d))
    data.clear_cache()
    yield d
    data.clear_cache()


@pytest.fixture(autouse=True)
def _committed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHAREDSERVICES_PROCESSED_DIR", raising=False)


def test_tables_load_with_expected_columns() -> None:
    assert list(data.councils().columns) == [
        "ecode", "ons_code", "name", "class", "region", "county", "population_2011",
        "population_source", "principal",
    ]
    for frame, key in ((data.spending(), "service"), (data.finance(), "item")):
        assert list(frame.columns) == ["ecode", "year", key, "gbp_thousand", "status"]
        assert frame["gbp_thousand"].dtype == "float64"
    assert data.councils()["principal"].dtype == bool


def test_every_principal_council_has_spending_every_year() -> None:
    c = data.councils()
    s = data.spending()
    principal = set(c.loc[c["principal"], "ecode"])
    for year in data.YEARS:
        assert principal <= set(s.loc[s["year"] == year, "ecode"]), year


def test_population_nan_only_with_a_reason() -> None:
    c = data.councils()
    none = c[c["population_2011"].isna()]
    assert none["population_source"].str.startswith("none: ").all()
    assert c.loc[c["population_2011"].notna(), "population_source"].str.startswith("ONS Census 2011").all()
    # a shire county with a population equals the sum over its districts
    districts = c[c["class"] == "SD"].groupby("county")["population_2011"].sum(min_count=1)
    for r in c[(c["class"] == "SC") & c["population_2011"].notna()].itertuples():
        if "sum of its" in r.population_source and "merged" not in r.population_source:
            assert r.population_2011 == districts[r.name]


def test_cache_returns_same_data_and_is_safe_to_modify() -> None:
    a = data.spending()
    a.loc[a.index[0], "gbp_thousand"] = -1.0
    b = data.spending()
    assert b["gbp_thousand"].iloc[0] != -1.0
    assert data.spending().equals(b)


@pytest.mark.parametrize(
    ("table", "edit", "message"),
    [
        ("spending", lambda t: t.replace("gbp_thousand", "gbp", 1), r"spending\.csv: missing column 'gbp_thousand'"),
        ("finance", lambda t: t + t.splitlines()[1] + "\n", r"finance\.csv: duplicate key \('E0101', '2010-11', 'area_based_grant'\)"),
        ("councils", lambda t: t.replace(",176016,", ",lots,", 1), r"councils\.csv: row 2, column 'population_2011': 'lots' is not a number"),
        ("codes", lambda t: "", r"codes\.csv: file is empty"),
        ("spending", lambda t: t.replace(",2010-11,", ",2010-2011,", 1), r"spending\.csv: fails its schema"),
    ],
)
def test_bad_processed_file_gives_one_line_error(processed_copy: Path, table: str, edit, message: str) -> None:
    path = processed_copy / f"{table}.csv"
    path.write_text(edit(path.read_text()))
    loader = getattr(data, table)
    with pytest.raises(DataError, match=message) as err:
        loader()
    assert "\n" not in str(err.value) and err.value.exit_code == 2


def test_cache_is_keyed_by_directory(processed_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = len(data.councils())
    small = processed_copy.parent / "small"
    small.mkdir()
    c = pd.read_csv(processed_copy / "councils.csv", dtype=str, keep_default_na=False)
    c.head(3).to_csv(small / "councils.csv", index=False)
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(small))
    assert len(data.councils()) == 3
    monkeypatch.setenv("SHAREDSERVICES_PROCESSED_DIR", str(processed_copy))
    assert len(data.councils()) == rows


@pytest.mark.parametrize(
    ("code", "ecode"),
    [("E0101", "E0101"), ("e06000022", "E0101"), (" E08000037 ", "E4501"), ("E07000029", "E0934")],
)
def test_resolve_council(code: str, ecode: str) -> None:
    assert data.resolve_council(code) == ecode


def test_resolve_council_rejects_non_principal_and_unknown() -> None:
    with pytest.raises(InputError, match=r"council: 'E6042' is Greater Manchester Police .*not a principal council"):
        data.resolve_council("E6042")
    assert data.resolve_council("E6042", principal_only=False) == "E7042"
    with pytest.raises(InputError, match=r"^council: 'Bristol' is not a code in the RS workbooks \(allowed: "):
        data.resolve_council("Bristol")


def test_select_councils() -> None:
    c = data.councils()
    assert data.select_councils("all") == sorted(c.loc[c["principal"], "ecode"])
    assert data.select_councils("sd") == sorted(c.loc[c["class"] == "SD", "ecode"])
    assert data.select_councils("E0102,E06000022") == ["E0101", "E0102"]
    with pytest.raises(InputError, match="'E0101,,E0102' has an empty item"):
        data.select_councils("E0101,,E0102")
    with pytest.raises(InputError, match="council: 'E6101' is .* not a principal council"):
        data.select_councils("E0101,E6101")
    with pytest.raises(InputError, match="councils: '' is not a selection"):
        data.select_councils("")


def test_wide_accessors_match_long_tables() -> None:
    w = data.spending_wide("2010-11")
    assert "social_care" in w.columns and "adult_social_care" not in w.columns
    s = data.spending()
    row = s[(s["year"] == "2010-11") & (s["ecode"] == "E0102") & (s["service"] == "education")]
    assert w.loc["E0102", "education"] == row["gbp_thousand"].item()
    f = data.finance_wide("2017-18")
    assert pd.isna(f.loc["E0934", "reserves_usable"])  # Copeland was not collected
    with pytest.raises(InputError, match=r"year: '2015-16' is not a year with data"):
        data.finance_wide("2015-16")


def test_data_files_hashes_change_with_content(processed_copy: Path) -> None:
    before = data.data_files()
    (processed_copy / "england.csv").write_text((processed_copy / "england.csv").read_text() + "\n")
    after = data.data_files()
    assert before["england.csv"] != after["england.csv"]
    assert before["councils.csv"] == after["councils.csv"]
