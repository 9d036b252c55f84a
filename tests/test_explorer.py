"""The live explorer: controls from the schema, widget changes give the model's numbers,
refusals are one line, and notebooks/explorer.ipynb runs through papermill."""

from __future__ import annotations

import html
import json
import math
import typing
from typing import Literal

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from pydantic import Field
from sharedservices.errors import InputError
from sharedservices.inputs import paths
from sharedservices.model import scenario
from sharedservices.report import explorer, params, scenarios
from sharedservices.report import format as fmt
from sharedservices.report.params.scenario_fields import ScenarioParams

import notebooks

matplotlib.use("Agg")

NOTEBOOK = paths.NOTEBOOKS_DIR / "explorer.ipynb"


def _same(a: object, b: object) -> bool:
    """Equal, NaN included (JSON text of both, keys sorted)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@pytest.fixture
def ex() -> explorer.Explorer:
    return explorer.Explorer("E2532")


# --------------------------------------------------------------------------------------
# Controls are built from the schema


def test_every_schema_field_has_a_control_matching_its_type_and_range() -> None:
    controls = explorer.build_controls()
    assert list(controls) == list(ScenarioParams.model_fields)
    for name, field in ScenarioParams.model_fields.items():
        c = controls[name]
        ann = field.annotation
        nullable = type(None) in typing.get_args(ann)
        lo = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
        hi = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
        if name == "council":
            assert isinstance(c, explorer.CouncilPicker)
            continue
        if nullable:
            assert isinstance(c, explorer.OptionalControl) and c.value is None and c.inner.disabled
            c = c.inner
        elif typing.get_origin(ann) is Literal:
            choices = list(typing.get_args(ann))
            kind = widgets.ToggleButtons if len(choices) <= explorer.TOGGLE_MAX_CHOICES else widgets.Dropdown
            assert isinstance(c, kind) and list(c.options) == choices and c.value == field.default
            continue
        elif ann is bool:
            assert isinstance(c, widgets.Checkbox) and c.value is field.default
            continue
        kind = widgets.IntSlider if ann is int else widgets.FloatSlider
        assert isinstance(c, kind), name
        assert (c.min, c.max) == (lo, hi), name
        assert c.description == name.replace("_", " ") and c.tooltip == field.description
        if not nullable:
            assert c.value == field.default, name


def test_a_field_added_to_a_subclass_gets_a_control() -> None:
    class Wider(ScenarioParams):
        protect_social_care: bool = Field(False, description="protect social care from cuts")
        partners: int = Field(2, ge=1, le=8, description="number of partner councils")
        partner_mix: Literal["same_class", "neighbours", "any", "county"] = Field(
            "any", description="who the partners are")
        failure_probability: float | None = Field(None, ge=0.0, le=0.5, description="annual p")
        review_year: int | None = Field(None, ge=1, le=10, description="year of the review")
        partner_tier: Literal["lower", "upper"] | None = Field(None, description="tier")

    controls = explorer.build_controls(Wider)
    assert list(controls) == list(Wider.model_fields)
    assert isinstance(controls["protect_social_care"], widgets.Checkbox)
    assert isinstance(controls["partners"], widgets.IntSlider) and controls["partners"].max == 8
    assert isinstance(controls["partner_mix"], widgets.Dropdown)
    assert isinstance(controls["failure_probability"], explorer.OptionalControl)
    assert controls["failure_probability"].inner.max == 0.5
    review, tier = controls["review_year"], controls["partner_tier"]
    assert isinstance(review.inner, widgets.IntSlider) and review.value is None
    assert isinstance(tier.inner, widgets.ToggleButtons) and tier.value is None
    tier.cited.value = False
    assert tier.value == "lower"
    review.value = 4
    assert (review.inner.value, review.cited.value) == (4, False)


def test_council_picker_lists_principal_councils_and_searches_by_name_or_code() -> None:
    from sharedservices.inputs import data

    choices = explorer.council_choices()
    c = data.councils()
    assert sorted(choices.values()) == sorted(c.loc[c["principal"], "ecode"])
    assert "Manchester (MD, E4203 / E08000003)" in choices
    assert explorer.find_council("E08000003", choices) == "E4203"
    assert explorer.find_council("e4203", choices) == "E4203"
    assert explorer.find_council("  east   LINDSEY ", choices) == "E2532"
    with pytest.raises(InputError, match=r"^council: 'Lincoln' matches \d+ councils"):
        explorer.find_council("Lincoln", choices)  # Lincoln, Lincolnshire, North Lincolnshire...
    with pytest.raises(InputError, match="matches no principal council"):
        explorer.find_council("Atlantis", choices)


def test_optional_control_round_trips_none_and_a_number() -> None:
    spec = params.ParamSpec("front_loading", "float", None, "phi", minimum=0.0, maximum=1.0,
                            nullable=True)
    w = explorer.control_for(spec)
    seen = []
    w.observe(lambda ch: seen.append(ch["new"]), names="value")
    w.inner.disabled = False
    w.cited.value = False  # untick "cited default": the slider's value is used
    w.inner.value = 0.4
    w.cited.value = True
    assert seen == [0.0, 0.4, None] and w.inner.disabled


# --------------------------------------------------------------------------------------
# Widget changes give exactly the model's numbers


def test_starts_on_the_defaults_and_matches_run_scenario(ex: explorer.Explorer) -> None:
    assert ex.error == "" and ex.values["council"] == "E2532"
    direct = scenario.run_scenario("E2532", "back_office", "reserves", "sr2010", horizon=10,
                                   discount="green_book", savings_multiplier=1.0,
                                   one_off_cost_multiplier=1.0, delay_years=0.0,
                                   ramp_multiplier=1.0, optimism_bias=True)
    assert _same(ex.metrics, direct.metrics)
    assert bytes(ex.image.value).startswith(b"\x89PNG")


def test_savings_multiplier_zero_gives_no_savings_and_no_payback(ex: explorer.Explorer) -> None:
    ex.controls["savings_multiplier"].value = 0.0
    m = ex.metrics
    assert ex.values["savings_multiplier"] == 0.0
    assert m["steady_state_saving_gbp_thousand"] <= 0.0 and m["gross_steady_state_saving_gbp_thousand"] == 0.0
    assert m["payback_year"] is None
    direct = scenario.run_scenario("E2532", savings_multiplier=0.0)
    assert _same(m, direct.metrics)
    assert float(ex.result.timing["gross_savings"].abs().sum()) == 0.0
    assert "Payback year" in ex.panel.value and "none by 2020-21" in ex.panel.value


def test_every_change_matches_run_from_params_and_the_panel_quotes_it(ex: explorer.Explorer) -> None:
    changes = [("programme", "broad"), ("financing", "borrowing"), ("discount", "none"),
               ("horizon", 14), ("delay_years", 1.5), ("ramp_multiplier", 2.0),
               ("one_off_cost_multiplier", 3.0), ("optimism_bias", False),
               ("cut_path", "actual"), ("cut_path", "parametric"), ("front_loading", 0.8),
               ("total_cut_multiplier", 1.5)]
    for name, value in changes:
        ex.controls[name].value = value
        assert ex.error == "", (name, ex.error)
        assert ex.values[name] == value
        want = scenarios.run_from_params(ex.values)
        assert _same(ex.metrics, want.metrics), name
        for text in explorer.format_metrics(want.metrics, want.settings).values():
            assert html.escape(text) in ex.panel.value, (name, text)
    assert ex.metrics["horizon"] == 14 and len(ex.result.timing) == 15
    assert math.isclose(ex.metrics["front_loading_index"], 0.8, rel_tol=1e-9)
    # discount "none": the NPV is the plain sum of the programme cash flow
    assert math.isclose(ex.metrics["npv_gbp_thousand"],
                        float(ex.result.timing["programme_cash_flow"].sum()), rel_tol=1e-12)
    # the chart shows the same numbers (£m)
    y = ex.chart.lines["funding_gap"].get_ydata()
    np.testing.assert_allclose(y, ex.result.timing["funding_gap"].to_numpy() / 1000)


def test_switching_council_updates_everything(ex: explorer.Explorer) -> None:
    before = dict(ex.metrics)
    ex.controls["council"].value = "Manchester (MD, E4203 / E08000003)"
    assert ex.values["council"] == "E4203" and ex.metrics["council_name"].startswith("Manchester")
    assert _same(ex.metrics, scenario.run_scenario("E4203").metrics)
    assert ex.metrics["core_spending_gbp_thousand"] != before["core_spending_gbp_thousand"]
    assert ex.title.value.startswith("<b>Manchester")
    ex.controls["council"].value = "E10000003"  # ONS code of Cambridgeshire, typed
    assert ex.values["council"] == "E0521"
    np.testing.assert_allclose(ex.chart.lines["net_savings"].get_ydata(),
                               ex.result.timing["net_savings"].to_numpy() / 1000)


def test_small_moves_blit_and_big_ones_redraw_the_axes(ex: explorer.Explorer) -> None:
    n = ex.chart.full_redraws
    ex.controls["savings_multiplier"].value = 1.02
    assert ex.chart.full_redraws == n
    ex.controls["horizon"].value = 20  # new x range
    assert ex.chart.full_redraws == n + 1
    assert ex.chart.ax.get_xlim() == (0.0, 20.0)


# --------------------------------------------------------------------------------------
# Refusals


def test_invalid_values_are_refused_with_one_line_and_the_last_result_kept(ex: explorer.Explorer) -> None:
    good = dict(ex.metrics)
    ex.controls["council"].value = "Atlantis"
    assert ex.error.startswith("council: 'Atlantis' matches no principal council")
    assert "Atlantis" in ex.message.value and "\n" not in ex.error
    assert _same(ex.metrics, good)
    ex.controls["council"].value = "E2532"
    assert ex.error == "" and ex.message.value == ""
    ex.controls["front_loading"].value = 5.0  # past the schema's 0..1 (the slider clamps; the value does not)
    assert ex.error == "parameter 'front_loading': 5.0 is out of range (allowed: finite number 0..1 or None)"
    assert _same(ex.metrics, good)
    ex.controls["front_loading"].value = None
    assert ex.error == ""


def test_a_model_refusal_is_shown_not_raised() -> None:
    def refuse(values: dict) -> scenario.ScenarioResult:
        if values["delay_years"] > 5:
            raise InputError("delay_years: too long for this programme (allowed: 0 to 5)")
        return scenarios.run_from_params(values)

    ex = explorer.Explorer("E2532", run=refuse)
    ex.controls["delay_years"].value = 6.0
    assert ex.error == "delay_years: too long for this programme (allowed: 0 to 5)"
    assert ex.refresh() is False


def test_validate_values_speaks_like_the_reports() -> None:
    with pytest.raises(InputError, match=r"^parameter 'horizon': 99 is out of range \(allowed: integer 4\.\.60\)$"):
        explorer.validate_values({"horizon": 99})
    with pytest.raises(InputError, match=r"^parameter 'programme': 'all' is not an allowed choice"):
        explorer.validate_values({"programme": "all"})
    with pytest.raises(InputError, match=r"^parameter 'council': 'E9999' is not a code"):
        explorer.validate_values({"council": "E9999"})
    with pytest.raises(InputError, match=r"^parameter 'colour': unknown"):
        explorer.validate_values({"colour": "red"})


def test_show_refuses_an_unknown_council() -> None:
    with pytest.raises(InputError, match="parameter 'council'"):
        explorer.show("E9999")


# --------------------------------------------------------------------------------------
# The notebook


def test_notebook_committed_clean_with_its_parameters_cell() -> None:
    code = notebooks.code_cells(notebooks.assert_committed(NOTEBOOK))
    cell = params.parameters_cell(NOTEBOOK)
    [spec] = params.describe("explorer")
    assert [(c.name, c.type, c.default, c.help) for c in cell] == [
        (spec.name, "str", spec.default, spec.help)]
    assert len(code) == 2 and "explorer.show(council)" in code[1].source


@pytest.mark.xdist_group("explorer-notebook")
def test_notebook_runs_through_papermill_and_shows_the_models_numbers(tmp_path) -> None:
    nb = notebooks.execute(NOTEBOOK, {"council": "E08000003"}, tmp_path)
    outputs = [o for c in notebooks.code_cells(nb) for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    [shown] = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    snapshot = shown["data"]["text/html"]  # static copy for exports: the same title and numbers
    assert "data:image/png;base64," in snapshot and "recomputed in" not in snapshot
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = [m["state"] for m in state.values()]
    html_values = " ".join(m.get("value", "") for m in models if m.get("_model_name") == "HTMLModel")
    want = scenarios.run_from_params({"council": "E08000003"})
    for text in explorer.format_metrics(want.metrics, want.settings).values():
        assert html.escape(text) in html_values, text
    assert explorer.chart_title(want.metrics) in html_values
    for text in [explorer.chart_title(want.metrics),
                 *explorer.format_metrics(want.metrics, want.settings).values()]:
        assert html.escape(text) in snapshot, text
    [combo] = [m for m in models if m.get("_model_name") == "ComboboxModel"]
    assert combo["value"] == "Manchester (MD, E4203 / E08000003)"
    assert sum(m.get("_model_name") == "ImageModel" for m in models) == 1


def test_parametric_only_controls_are_enabled_only_for_the_parametric_path(ex: explorer.Explorer) -> None:
    fl, tc = ex.controls["front_loading"], ex.controls["total_cut_multiplier"]
    assert ex.values["cut_path"] == "sr2010"
    assert fl.cited.disabled and fl.inner.disabled and tc.disabled
    ex.controls["cut_path"].value = "parametric"
    assert not fl.cited.disabled and fl.inner.disabled and not tc.disabled  # cited default ticked
    # the disabled slider shows the default the model used: the SR2010 path's own index
    assert math.isclose(fl.inner.value, ex.result.settings["front_loading"], abs_tol=fl.inner.step)
    fl.cited.value = False
    assert not fl.inner.disabled and fl.value == fl.inner.value
    ex.controls["cut_path"].value = "actual"
    assert fl.cited.disabled and fl.inner.disabled and tc.disabled


def test_chart_speaks_like_the_payback_report() -> None:
    from sharedservices.report.figures import payback

    assert explorer.SOURCE == payback.SOURCE_MODEL


def test_front_loading_control_shows_the_chosen_paths_own_index(ex: explorer.Explorer) -> None:
    fl = ex.controls["front_loading"]
    sr2010 = scenario.sr2010_front_loading_index()
    assert fl.value is None and fl.cited.value  # "cited default" ticked
    assert sr2010 is not None and sr2010 > fl.inner.min  # not the slider's floor (it was 0.00)
    assert math.isclose(fl.inner.value, sr2010, rel_tol=1e-12) and fl.note.value == ""
    ex.controls["cut_path"].value = "actual"  # East Lindsey's own outturn path
    own = scenario.run_scenario("E2532", cut_path="actual").metrics["front_loading_index"]
    assert own is not None and not math.isclose(own, sr2010, abs_tol=fl.inner.step)
    assert fl.inner.value == own == ex.metrics["front_loading_index"]
    ex.controls["council"].value = "E4203"  # the value follows the council
    manchester = scenario.run_scenario("E4203", cut_path="actual").metrics["front_loading_index"]
    assert manchester != own and fl.inner.value == manchester
    # a back-loaded actual path: its negative index in words, not clamped to the slider's 0
    ex.controls["council"].value = "E3620"
    back = ex.metrics["front_loading_index"]
    assert back is not None and back < fl.inner.min
    assert fl.note.value == f"{fmt.number(back, 2)} (below the slider’s 0.00)"
    assert fl.inner.readout is False  # the clamped slider's own 0.00 is not shown
    # a council whose actual path has no net cut: no number, the model's words instead
    flat = scenario.front_loading_table()
    [code] = [e for e in flat.loc[flat["front_loading_index"].isna(), "ecode"]
              if scenario.run_scenario(e, cut_path="actual").metrics["front_loading_index"] is None]
    ex.controls["council"].value = code
    assert ex.error == "" and ex.metrics["front_loading_index"] is None
    assert fl.note.value == "no net cut" and fl.inner.readout is False
    ex.controls["cut_path"].value = "parametric"  # the parametric default: the SR2010 index
    assert fl.inner.value == ex.result.settings["front_loading"]
    assert math.isclose(fl.inner.value, sr2010, rel_tol=1e-12)
    assert fl.note.value == "" and fl.inner.readout is True
    fl.cited.value = False  # unticked: the user's value, not a shown default
    fl.inner.value = 0.6
    ex.controls["cut_path"].value = "sr2010"
    # kept for the parametric path (sr2010 ignores it) and shown disabled, never overwritten
    assert ex.error == "" and fl.value == fl.inner.value == 0.6 and fl.inner.disabled
