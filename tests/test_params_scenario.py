"""The shared scenario parameters: choices agree with the model; run_from_params maps them."""

from __future__ import annotations

import typing

import numpy as np
import pytest
from sharedservices.errors import InputError
from sharedservices.model import cited, financing, scenario, uncertainty
from sharedservices.report import scenarios
from sharedservices.report.params.scenario_fields import ScenarioParams


def _choices(name: str) -> tuple[str, ...]:
    ann = ScenarioParams.model_fields[name].annotation
    return typing.get_args(ann)


def test_programme_choices_are_the_model_presets() -> None:
    assert set(_choices("programme")) == set(cited.preset_names())


def test_financing_choices_are_the_model_options() -> None:
    assert set(_choices("financing")) == set(financing.FINANCING_OPTIONS)


def test_cut_path_choices_are_the_model_paths() -> None:
    assert set(_choices("cut_path")) == set(scenario.CUT_PATHS)


def test_defaults_are_neutral() -> None:
    p = ScenarioParams().model_dump()
    for k in ("savings_multiplier", "one_off_cost_multiplier", "ramp_multiplier", "total_cut_multiplier"):
        assert p[k] == 1.0
    assert p["delay_years"] == 0.0 and p["front_loading"] is None


def test_defaults_run_the_model_defaults() -> None:
    got = scenarios.run_from_params({"council": "E2532"})
    want = scenario.run_scenario("E2532")
    assert got.metrics == want.metrics


def test_every_field_reaches_the_model() -> None:
    params = {
        "council": "E2532", "programme": "broad", "financing": "borrowing", "cut_path": "parametric",
        "front_loading": 0.3, "total_cut_multiplier": 1.5, "horizon": 8, "discount": "none",
        "savings_multiplier": 1.2, "one_off_cost_multiplier": 0.8, "delay_years": 0.5,
        "ramp_multiplier": 2.0, "optimism_bias": False,
    }
    got = scenarios.run_from_params(params)
    d = scenario.defaults_from_assumptions()
    want = scenario.run_scenario(
        "E2532", "broad", "borrowing", cut_path="parametric", front_loading=0.3,
        total_cut=1.5 * d.sr2010_total_cut, horizon=8, discount=0.0, savings_multiplier=1.2,
        one_off_cost_multiplier=0.8, delay_years=0.5, ramp_multiplier=2.0, optimism_bias=False,
    )
    assert got.metrics == want.metrics
    assert got.settings["discount"] == 0.0 and got.settings["ramp_multiplier"] == 2.0
    assert got.settings["total_cut"] == pytest.approx(1.5 * d.sr2010_total_cut)


def test_discount_none_is_undiscounted() -> None:
    r = scenarios.run_from_params({"council": "E2532", "discount": "none"})
    assert r.metrics["npv_gbp_thousand"] == pytest.approx(float(r.arrays.programme_cash_flow.sum()))


def test_ramp_multiplier_scales_the_cited_ramps() -> None:
    base = scenario.resolve("E2532", optimism_bias=False)
    slow = scenario.resolve("E2532", optimism_bias=False, ramp_multiplier=2.0)
    np.testing.assert_allclose(slow.ramp, 2.0 * base.ramp)
    r1 = scenarios.run_from_params({"council": "E2532"})
    r2 = scenarios.run_from_params({"council": "E2532", "ramp_multiplier": 3.0})
    assert r2.metrics["npv_gbp_thousand"] < r1.metrics["npv_gbp_thousand"]


def test_parametric_only_fields_are_dropped_for_other_paths() -> None:
    a = scenarios.run_from_params({"council": "E2532", "cut_path": "actual", "front_loading": 0.9,
                                  "total_cut_multiplier": 2.0})
    b = scenario.run_scenario("E2532", cut_path="actual")
    assert a.metrics == b.metrics


def test_total_cut_multiplier_deepens_the_parametric_gap() -> None:
    lo = scenarios.run_from_params({"council": "E2532", "cut_path": "parametric"})
    hi = scenarios.run_from_params({"council": "E2532", "cut_path": "parametric", "total_cut_multiplier": 2.0})
    assert hi.metrics["funding_gap_final_gbp_thousand"] > lo.metrics["funding_gap_final_gbp_thousand"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"horizon": 2}, "'horizon'"),
        ({"programme": "everything"}, "'programme'"),
        ({"discount": "3.5%"}, "'discount'"),
        ({"savings_mult": 1.0}, "'savings_mult'"),
        ({"council": "E9999"}, "council"),
    ],
)
def test_bad_params_are_one_line_input_errors(params, needle) -> None:
    with pytest.raises(InputError) as exc:
        scenarios.run_from_params(params)
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_monte_carlo_from_params_matches_monte_carlo() -> None:
    params = {"council": "E2532", "horizon": 6, "discount": "none", "ramp_multiplier": 1.5,
              "draws": 200, "seed": 7}
    got = scenarios.monte_carlo_from_params(params)
    want = uncertainty.monte_carlo("E2532", draws=200, seed=7, horizon=6, discount=0.0, ramp_multiplier=1.5)
    np.testing.assert_array_equal(got.net_savings, want.net_savings)
    assert got.settings["draws"] == 200 and got.settings["seed"] == 7
    other = scenarios.monte_carlo_from_params(params, draws=100, seed=8)
    assert other.net_savings.shape == (100, 7)


def test_sensitivities_accept_discount_and_ramp_multiplier() -> None:
    sc = scenarios.to_scenario({"council": "E2532", "discount": "none", "ramp_multiplier": 2.0})
    tab = uncertainty.one_way_sensitivities(sc)
    central = scenario.run_scenario(sc).metrics["npv_gbp_thousand"]
    assert tab["central"].iloc[0] == pytest.approx(central)
    # the ramp multiplier doubles the ramp the tornado's ramp shock scales, so the NPV moves
    # by the same multiplier of a longer ramp: not the same swing as the cited ramp's
    plain = uncertainty.one_way_sensitivities(sc, ramp_multiplier=1.0)
    swing = tab.set_index("parameter").loc["ramp_multiplier", "swing"]
    assert swing != pytest.approx(plain.set_index("parameter").loc["ramp_multiplier", "swing"])
