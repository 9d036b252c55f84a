"""Parameter schemas: validation messages, CLI parsing, and notebooks matching schemas."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field
from sharedservices.errors import InputError
from sharedservices.report import params
from sharedservices.report.params import Council, NotebookParams, register

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "runner" / "notebooks"


@register("zz-test-params")
class _TestParams(NotebookParams):
    council: Council = Field("E0101", description="council code")
    horizon: int = Field(10, ge=1, le=60, description="last model year")
    multiplier: float = Field(1.0, ge=0, le=5, description="x cited rate")
    rate: float | None = Field(None, ge=0, le=0.2, description="None: cited rate")
    programme: Literal["back_office", "front_office"] = Field("back_office", description="preset")
    sensitivity: bool = Field(False, description="run sensitivity")


def test_defaults_filled_in(councils_fixture):
    out = params.validate("zz-test-params", {"horizon": 12})
    assert out["horizon"] == 12
    assert out["programme"] == "back_office" and out["rate"] is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"horizon": 500}, "parameter 'horizon': 500 is out of range (allowed: integer 1..60)"),
        ({"horizon": 0}, "parameter 'horizon': 0 is out of range (allowed: integer 1..60)"),
        ({"horizon": "12"}, "parameter 'horizon': '12' has the wrong type (str) (allowed: integer 1..60)"),
        ({"horizon": 2.5}, "has the wrong type"),
        ({"horizon": True}, "has the wrong type"),
        ({"multiplier": math.nan}, "parameter 'multiplier': nan is not a finite number"),
        ({"multiplier": math.inf}, "is not a finite number"),
        ({"rate": 0.5}, "parameter 'rate': 0.5 is out of range (allowed: finite number 0..0.2 or None)"),
        ({"programme": "middle"}, "is not an allowed choice (allowed: one of back_office, front_office)"),
        ({"colour": "red"}, "parameter 'colour': unknown for notebook 'zz-test-params' (allowed: council,"),
        ({"sensitivity": "yes"}, "has the wrong type"),
        ({"council": "E9999"}, "parameter 'council': 'E9999' is not"),
        ({"council": "E6101"}, "parameter 'council': 'E6101' is"),
    ],
)
def test_bad_values_give_one_line(councils_fixture, raw, expected):
    with pytest.raises(InputError) as info:
        params.validate("zz-test-params", raw)
    msg = str(info.value)
    assert msg.startswith(expected) or expected in msg
    assert "(allowed:" in msg
    assert "\n" not in msg and info.value.exit_code == 2


def test_int_accepted_for_float_and_codes_accepted(councils_fixture):
    out = params.validate("zz-test-params", {"multiplier": 2, "council": "E06000022"})
    assert out["multiplier"] == 2 and out["council"] == "E06000022"
    assert params.validate("zz-test-params", {"council": "E2532"})["council"] == "E2532"


def test_unknown_notebook():
    with pytest.raises(InputError, match="notebook 'nope': no parameter schema registered"):
        params.schema_for("notebooks/nope.ipynb")


def test_describe_json_shape():
    rows = {p.name: p.as_json() for p in params.describe("zz-test-params")}
    assert rows["horizon"] == {"name": "horizon", "type": "int", "default": 10,
                               "help": "last model year", "minimum": 1, "maximum": 60}
    assert rows["rate"]["type"] == "float" and rows["rate"]["default"] is None
    assert rows["programme"]["choices"] == ["back_office", "front_office"]
    assert rows["sensitivity"]["type"] == "bool"
    assert rows["council"]["type"] == "str" and "minimum" not in rows["council"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("E0101", "E0101"), ("E06000022", "E06000022"), ("12", 12), ("1e3", 1000.0),
     ("False", False), ("None", None), ("2014-15", "2014-15"), ("nan", math.nan)],
)
def test_parse_cli_value(text, value):
    got = params.parse_cli_value(text)
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(got)
    else:
        assert got == value and type(got) is type(value)


def _notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(FIXTURE_NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("nb", _notebooks(), ids=lambda p: p.stem)
def test_parameters_cell_matches_schema(nb):
    """Each notebook's parameters cell lists exactly its schema's names, types and defaults."""
    cell = params.parameters_cell(nb)
    specs = params.describe(nb)
    assert [c.name for c in cell] == [s.name for s in specs]
    for c, s in zip(cell, specs, strict=True):
        allowed_types = {s.type, f"{s.type} | None", f"Optional[{s.type}]"} if s.nullable else {s.type}
        assert c.type in allowed_types, (c.name, c.type, s.type)
        assert c.default == s.default, (c.name, c.default, s.default)
        assert c.help == s.help, (c.name, c.help, s.help)


def test_data_overview_schema():
    [spec] = params.describe("00-data-overview")
    assert spec.default == "2014-15" and spec.type == "str"
    assert spec.choices == ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18")


def test_council_lookup_can_be_deferred(councils_fixture, tmp_path):
    from sharedservices.pipeline.config import check_report, parse_reports

    assert params.validate("zz-test-params", {"council": "E9999"}, check_councils=False)
    (tmp_path / "zz-test-params.ipynb").write_text(json.dumps({"cells": [  # checked before running
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ""}]}))
    data = {"reports": [{"name": "a", "title": "T", "notebook": "zz-test-params.ipynb",
                         "parameters": {"council": "E9999"}}]}
    [report] = parse_reports(data, tmp_path, check_councils=False)
    with pytest.raises(InputError, match=r"^reports.yaml: report 'a': parameter 'council': 'E9999'"):
        check_report(report)
    with pytest.raises(InputError, match="parameter 'council'"):
        parse_reports(data, tmp_path)
