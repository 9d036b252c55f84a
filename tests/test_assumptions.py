"""The assumptions loader: good files load, each kind of bad file stops with a DataError
naming the file and the key, unknown keys raise InputError with close matches."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sharedservices.errors import DataError, InputError
from sharedservices.inputs import assumptions

GOOD_RECORD = """\
    value: 0.018
    unit: fraction of total service expenditure
    source:
      title: NLGN, Shared Necessities (2011)
      url: https://www.newlocal.org.uk/publications/shared-necessities-the-next-generation-of-shared-services/
    quality: green
    quality_note: the benchmark itself
"""


def _write(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


def _file(key: str, record: str, title: str = "Demo") -> str:
    return f"title: {title}\nvalues:\n  {key}:\n{record}"


@pytest.fixture
def adir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An assumptions directory with one good file, selected through the environment."""
    _write(tmp_path, "demo.yaml", _file("realistic", GOOD_RECORD))
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(tmp_path))
    assumptions.clear_cache()
    return tmp_path


def test_good_file_loads_through_environment(adir: Path) -> None:
    values = assumptions.load_all()
    assert list(values) == ["demo.realistic"]
    a = assumptions.get("demo.realistic")
    assert a.value == 0.018
    assert a.unit == "fraction of total service expenditure"
    assert a.source_url.startswith("https://www.newlocal.org.uk/")
    assert a.quality == "green"
    assert a.file == "demo.yaml"
    assert not a.is_suite_assumption
    assert assumptions.value("demo.realistic") == 0.018


def test_files_gives_sha256_of_each_file(adir: Path) -> None:
    _write(adir, "other.yaml", _file("x", GOOD_RECORD))
    got = assumptions.files()
    assert set(got) == {"demo.yaml", "other.yaml"}
    for name, digest in got.items():
        assert digest == hashlib.sha256((adir / name).read_bytes()).hexdigest()


def test_cache_is_per_directory_and_sees_edits(adir: Path, tmp_path_factory) -> None:
    first = assumptions.value("demo.realistic")
    path = adir / "demo.yaml"
    path.write_text(path.read_text().replace("0.018", "0.036"))
    # make sure the modification time moves even on coarse file systems
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert first == 0.018
    assert assumptions.value("demo.realistic") == 0.036
    other = tmp_path_factory.mktemp("other")
    _write(other, "second.yaml", _file("y", GOOD_RECORD))
    assert list(assumptions.load_all(other)) == ["second.y"]
    assert list(assumptions.load_all(adir)) == ["demo.realistic"]


def test_cache_does_not_reread_unchanged_files(adir: Path, monkeypatch) -> None:
    assumptions.load_all()
    calls = []
    real = assumptions._load_file
    monkeypatch.setattr(assumptions, "_load_file", lambda p: calls.append(p) or real(p))
    for _ in range(50):
        assumptions.value("demo.realistic")
    assert calls == []


def test_value_is_a_copy(adir: Path) -> None:
    _write(adir, "m.yaml", _file("profile", GOOD_RECORD.replace("0.018", "{'2010-11': 1.0}")))
    v = assumptions.value("m.profile")
    v["2010-11"] = 99.0
    assert assumptions.value("m.profile") == {"2010-11": 1.0}


def test_unknown_key_names_it_and_lists_close_matches(adir: Path) -> None:
    with pytest.raises(
        InputError, match=r"'demo\.realistc' is not defined \(close matches: demo\.realistic\)"
    ):
        assumptions.value("demo.realistc")
    with pytest.raises(InputError, match="'nothing.here' is not defined"):
        assumptions.get("nothing.here")


def test_unknown_key_error_is_not_a_data_error(adir: Path) -> None:
    with pytest.raises(InputError) as info:
        assumptions.value("demo.nope")
    assert not isinstance(info.value, DataError)
    assert info.value.exit_code == 2


SUITE = """\
    value: 4
    unit: years
    source: suite assumption
    quality: red
    quality_note: judgement
"""

MONEY = """\
    value: 2.1
    unit: £m per year
    price_base: cash
    source: {title: Press report, url: "https://example.org/a"}
    quality: amber
    quality_note: a claim
"""


@pytest.mark.parametrize(
    "record",
    [
        SUITE,
        SUITE.replace("source: suite assumption", "source: {title: Suite Assumption}"),
        MONEY,
        MONEY.replace("£m per year", "GBP m").replace("cash", "2010-11 prices"),
        GOOD_RECORD.replace("0.018", "[central, other]"),
        GOOD_RECORD.replace("0.018", "[{from_year: 0, to_year: null, rate: 0.035}]"),
        GOOD_RECORD.replace("0.018", "{a: {upper: 0.5, lower: null}}"),
        GOOD_RECORD.replace("0.018", "equipment_development"),
        GOOD_RECORD + "    note: longer text\n",
        GOOD_RECORD.replace(
            "unit: fraction", "unit: fraction of net budget (£1.8m on £20m), i.e. a"
        ),
    ],
    ids=[
        "suite",
        "suite-mapping",
        "money",
        "money-gbp",
        "list",
        "list-of-mappings",
        "nested-null",
        "text",
        "note",
        "ratio-mentioning-money",
    ],
)
def test_good_records(adir: Path, record: str) -> None:
    _write(adir, "ok.yaml", _file("k", record))
    assert assumptions.get("ok.k").unit


BAD = {
    "missing-unit": (
        GOOD_RECORD.replace("    unit: fraction of total service expenditure\n", ""),
        "unit",
    ),
    "blank-unit": (
        GOOD_RECORD.replace("unit: fraction of total service expenditure", "unit: ' '"),
        "unit",
    ),
    "missing-source": (
        GOOD_RECORD.split("    source:")[0] + "    quality: green\n    quality_note: x\n",
        "source",
    ),
    "source-without-url": (
        GOOD_RECORD.replace(
            "      url: https://www.newlocal.org.uk/publications/shared-necessities-the-next-generation-of-shared-services/\n",
            "",
        ),
        "no url",
    ),
    "url-not-http": (
        GOOD_RECORD.replace("url: https://www.newlocal", "url: ftp://www.newlocal"),
        "well-formed",
    ),
    "url-no-host": (
        GOOD_RECORD.replace(
            "https://www.newlocal.org.uk/publications/shared-necessities-the-next-generation-of-shared-services/",
            "https://",
        ),
        "well-formed",
    ),
    "url-with-space": (
        GOOD_RECORD.replace("shared-necessities-the", "shared necessities the"),
        "well-formed",
    ),
    "url-truncated": (
        GOOD_RECORD.replace("shared-services/", "shared-serv..."),
        "truncated",
    ),
    "url-bare-word": (
        GOOD_RECORD.replace(
            "https://www.newlocal.org.uk/publications/shared-necessities-the-next-generation-of-shared-services/",
            "newlocal",
        ),
        "well-formed",
    ),
    "source-other-words": (
        GOOD_RECORD.replace(
            "    source:\n      title: NLGN, Shared Necessities (2011)\n"
            "      url: https://www.newlocal.org.uk/publications/shared-necessities-the-next-generation-of-shared-services/\n",
            "    source: my own guess\n",
        ),
        "suite assumption",
    ),
    "bad-rating": (GOOD_RECORD.replace("quality: green", "quality: yellow"), "quality"),
    "missing-rating": (GOOD_RECORD.replace("    quality: green\n", ""), "quality"),
    "missing-quality-note": (
        GOOD_RECORD.replace("    quality_note: the benchmark itself\n", ""),
        "quality_note",
    ),
    "suite-not-red": (SUITE.replace("quality: red", "quality: amber"), "always rated red"),
    "suite-with-url": (
        SUITE.replace(
            "source: suite assumption", "source: {title: suite assumption, url: 'https://x.org/a'}"
        ),
        "takes no url",
    ),
    "money-no-price-base": (MONEY.replace("    price_base: cash\n", ""), "price_base is missing"),
    "money-blank-price-base": (
        MONEY.replace("price_base: cash", "price_base: ''"),
        "price_base is missing",
    ),
    "missing-value": (GOOD_RECORD.replace("    value: 0.018\n", ""), "value"),
    "null-value": (GOOD_RECORD.replace("value: 0.018", "value: null"), "value is missing"),
    "boolean-value": (GOOD_RECORD.replace("value: 0.018", "value: yes"), "boolean"),
    "nan-value": (GOOD_RECORD.replace("value: 0.018", "value: .nan"), "not finite"),
    "empty-list": (GOOD_RECORD.replace("value: 0.018", "value: []"), "empty list"),
    "numeric-mapping-key": (GOOD_RECORD.replace("value: 0.018", "value: {2010: 1.0}"), "not text"),
    "misspelt-field": (GOOD_RECORD.replace("quality_note:", "qualty_note:"), "qualty_note"),
    "two-line-quality-note": (
        GOOD_RECORD.replace("quality_note: the benchmark itself", 'quality_note: "two\\nlines"'),
        "one line",
    ),
    "not-a-record": ("    0.018\n", "expected a record"),
}


@pytest.mark.parametrize("record,expected", list(BAD.values()), ids=list(BAD))
def test_bad_record_names_file_and_key(adir: Path, record: str, expected: str) -> None:
    _write(adir, "bad.yaml", _file("broken_key", record))
    with pytest.raises(DataError) as info:
        assumptions.load_all()
    msg = str(info.value)
    assert msg.startswith("bad.yaml: key 'broken_key': "), msg
    assert expected in msg
    assert "\n" not in msg
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "body,expected",
    [
        ("title: [unclosed\n", "not valid YAML"),
        (_file("a", GOOD_RECORD) + "  a:\n" + GOOD_RECORD, "duplicate key 'a'"),
        ("values:\n  a:\n" + GOOD_RECORD, "title"),
        ("title: T\nvalues: {}\n", "'values' is empty"),
        ("title: T\n", "values"),
        ("- a\n- b\n", "expected a mapping"),
        ("", "expected a mapping"),
        ("title: T\nsurprise: 1\nvalues:\n  a:\n" + GOOD_RECORD, "surprise"),
    ],
    ids=[
        "yaml-syntax",
        "duplicate-key",
        "no-title",
        "empty-values",
        "no-values",
        "a-list",
        "empty",
        "extra-top-level",
    ],
)
def test_bad_file_names_file(adir: Path, body: str, expected: str) -> None:
    _write(adir, "bad.yaml", body)
    with pytest.raises(DataError) as info:
        assumptions.load_all()
    msg = str(info.value)
    assert msg.startswith("bad.yaml: "), msg
    assert expected in msg
    assert "\n" not in msg


def test_bad_file_name(adir: Path) -> None:
    _write(adir, "Bad-Name.yaml", _file("a", GOOD_RECORD))
    with pytest.raises(DataError, match="Bad-Name.yaml: file name"):
        assumptions.load_all()


def test_missing_or_empty_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="does not exist"):
        assumptions.load_all()
    monkeypatch.setenv("SHAREDSERVICES_ASSUMPTIONS_DIR", str(tmp_path))
    with pytest.raises(DataError, match="no \\*.yaml files"):
        assumptions.load_all()


def test_table_columns_and_formatting(adir: Path) -> None:
    _write(
        adir, "m.yaml", _file("profile", MONEY.replace("2.1", "{'2010-11': 28.0, '2011-12': 25.0}"))
    )
    df = assumptions.table()
    assert list(df.columns) == [
        "key",
        "value",
        "unit",
        "price_base",
        "source_title",
        "source_url",
        "quality",
        "quality_note",
    ]
    assert list(df["key"]) == ["demo.realistic", "m.profile"]
    row = df.set_index("key").loc["demo.realistic"]
    assert row["value"] == "1.8%"
    assert df.set_index("key").loc["m.profile", "value"] == "2010-11: 28; 2011-12: 25"
    assert df.set_index("key").loc["m.profile", "price_base"] == "cash"
    sub = assumptions.table(["m.profile", "demo.realistic"])
    assert list(sub["key"]) == ["m.profile", "demo.realistic"]
    with pytest.raises(InputError, match="'m.profil' is not defined"):
        assumptions.table(["m.profil"])
    with pytest.raises(InputError, match="one string"):
        assumptions.table("m.profile")  # type: ignore[arg-type]


def test_suite_assumption_has_no_url_in_table(adir: Path) -> None:
    _write(adir, "s.yaml", _file("years", SUITE))
    a = assumptions.get("s.years")
    assert a.is_suite_assumption and a.source_url is None and a.quality == "red"
    row = assumptions.table(["s.years"]).iloc[0]
    assert row["source_title"] == "suite assumption"


def test_citation_names_source_and_rating(adir: Path) -> None:
    got = assumptions.citation("demo.realistic")
    assert got.startswith("demo.realistic = 1.8% of total service expenditure: NLGN")
    assert got.endswith("(green)")
    _write(adir, "s.yaml", _file("years", SUITE))
    assert "SUITE ASSUMPTION (red: judgement)" in assumptions.citation("s.years")
    with pytest.raises(InputError, match="'s.yeas' is not defined"):
        assumptions.citation("s.yeas")
