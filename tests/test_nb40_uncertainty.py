"""notebooks/40-uncertainty.ipynb: committed clean, runs with few draws, quotes the library's numbers."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import paths
from sharedservices.model import uncertainty
from sharedservices.report import findings, params, scenarios, tables
from sharedservices.report.findings import nb40_uncertainty as f40

import notebooks

pytestmark = pytest.mark.xdist_group("nb40-uncertainty")

STEM = "40-uncertainty"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
RUN = {"council": "E5014", "horizon": 8, "draws": 300, "seed": 11}
FIGURES = {"fan-net-savings", "fan-cumulative-cash-flow", "payback-distribution", "tornado-npv"}
TABLES = {"scenario-settings", "fan-net-savings-table", "optimism-adjustments", "optimism-bias-comparison",
          "correlation-comparison", "affordability-table", "sensitivities-table", "assumptions", "red-assumptions"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    notebooks.assert_committed(NOTEBOOK, STEM)
    assert [c.name for c in params.parameters_cell(NOTEBOOK)][-2:] == ["draws", "seed"]


def test_draws_and_seed_are_range_checked() -> None:
    assert params.validate(STEM, {"draws": 100})["seed"] == params.defaults(STEM)["seed"]
    for bad in ({"draws": 10}, {"draws": 10**7}, {"seed": -1}, {"draws": 500.0}):
        with pytest.raises(InputError, match=next(iter(bad))):
            params.validate(STEM, bad)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return notebooks.execute(NOTEBOOK, RUN, tmp_path_factory.mktemp("nb40"))


def test_outputs_present(executed) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)


def test_key_findings_and_headlines_are_the_model_s(executed) -> None:
    h = findings.headlines(STEM, params.validate(STEM, RUN))
    lines = notebooks.key_findings_lines(executed)
    assert lines == [" ".join(x.split()) for x in f40.finding_lines(h)]
    recorded = notebooks.headlines(executed)
    assert recorded["draws"] == 300
    for name, value in recorded.items():
        assert notebooks.same(value, h[name]), (name, value, h[name])
    # straight from the Monte Carlo with the same seed and draws
    mc = uncertainty.monte_carlo("E5014", horizon=8, draws=300, seed=11)
    assert h["p_payback_within_sr_period"] == mc.p_payback_within()
    assert h["npv_p50_gbp_m"] == pytest.approx(np.percentile(mc.draws["npv_gbp_thousand"], 50) / 1000)
    text = " ".join(lines)
    assert f"{100 * mc.p_payback_within():.1f}%" in text and "300" in text


def test_reference_class_and_green_book_bounds_side_by_side() -> None:
    a = f40.analyse(params.validate(STEM, {"council": "E2532", "draws": 400, "optimism_bias": False}))
    h = f40.summarise(a)
    assert a["mc"] is a["mc_without_ob"] and h["optimism_bias"] is False and h["optimism_adjustment"] is None
    assert h["p_payback_within_sr_period"] == h["p_payback_within_sr_period_without_ob"]
    # the upper bound raises costs and durations most: payback is no likelier with it
    order = ("without_ob", "reference_class", "green_book_upper")
    npvs = [h[f"npv_p50_gbp_m_{c}"] for c in order]
    assert npvs[0] >= npvs[1] > npvs[2]
    assert h["p_payback_within_sr_period_green_book_upper"] <= h["p_payback_within_sr_period_reference_class"]
    comp = tables.optimism_bias_comparison(h)
    assert list(comp.columns) == ["reference_class", "reference_class_all_pairs", "green_book_lower_bound",
                                  "green_book_upper_bound", "no_adjustment"]
    assert comp.iloc[0].tolist() == pytest.approx([100 * h[f"p_payback_within_sr_period_{c}"] for c in
                                                   ("reference_class", "reference_class_all_pairs",
                                                    "green_book_lower", "green_book_upper", "without_ob")])
    adj = a["adjustments"]
    assert "reference_class" in adj.columns and "green_book_upper" in adj.columns
    assert set(adj["rating"]) <= {"green", "amber", "red"}
    dist = tables.payback_distribution({"x": a["mc"].draws["payback_year"]}, 10)
    assert dist["x"].sum() == pytest.approx(100.0)
    assert dist.loc["never", "x"] == pytest.approx(100 * h["p_never_pays_back"])


def test_correlation_sensitivity() -> None:
    a = f40.analyse(params.validate(STEM, {"council": "E2532", "draws": 400}))
    h = f40.summarise(a)
    assert a["mc_rho_0"].settings["delay_cost_correlation"] == 0.0
    assert h["delay_cost_correlation"] == a["mc"].settings["delay_cost_correlation"] != 0.0
    c = tables.correlation_comparison(h)
    assert c.shape[1] == 3 and c.iloc[0, 1] == pytest.approx(100 * h["p_payback_within_sr_period"])


def test_sensitivity_table_and_fans() -> None:
    a = f40.analyse(params.validate(STEM, {"council": "E2532", "draws": 200, "cut_path": "parametric"}))
    sens = tables.sensitivity_table(a["sensitivities"], f40.SENSITIVITY_LABELS)
    assert sens["swing_gbp_m"].is_monotonic_decreasing
    assert set(sens["parameter"]) == set(uncertainty.TORNADO_INPUTS) and (sens["assumption"] != "").all()
    central = scenarios.run_from_params(a["params"]).metrics["npv_gbp_thousand"] / 1000
    assert sens["central_npv_gbp_m"].iloc[0] == pytest.approx(central)
    fan = tables.fan_gbp_m(a["mc"].fan_chart("net_savings"))
    assert (fan["p5_gbp_m"] <= fan["p50_gbp_m"] + 1e-12).all() and (fan["p50_gbp_m"] <= fan["p95_gbp_m"] + 1e-12).all()


def test_first_year_line_follows_the_probabilities() -> None:
    h = f40.headlines(council="E2532", cut_path="parametric", total_cut_multiplier=0.0, draws=100)
    assert h["p_cover_year1_gap"] is None and "no funding gap" in f40.finding_lines(h)[1]
    h = f40.headlines(council="E2532", draws=100)
    assert h["p_cover_year1_gap"] == 0.0 and "too late" in f40.finding_lines(h)[1]
