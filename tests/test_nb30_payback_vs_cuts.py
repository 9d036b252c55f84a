"""notebooks/30-payback-vs-cuts.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from sharedservices.inputs import assumptions, paths
from sharedservices.model import scenario
from sharedservices.report import findings, params, scenarios, tables
from sharedservices.report import format as fmt
from sharedservices.report.findings import nb30_payback_vs_cuts as f30

import notebooks

pytestmark = pytest.mark.xdist_group("nb30-payback")

STEM = "30-payback-vs-cuts"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
RUN = {"council": "E4203", "horizon": 8, "financing": "borrowing", "discount": "none"}
FIGURES = {"timing-gap-vs-savings", "front-loading-penalty", "affordability-by-option"}
TABLES = {"scenario-settings", "timing-table", "front-loading-penalty-table", "penalty-by-persistence",
          "savings-vs-benchmarks", "financing-options-table", "affordability-table", "reserves-check",
          "assumptions", "red-assumptions"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    notebooks.assert_committed(NOTEBOOK, STEM)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return notebooks.execute(NOTEBOOK, RUN, tmp_path_factory.mktemp("nb30"))


def test_outputs_present(executed) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)


def test_key_findings_and_headlines_are_the_model_s(executed) -> None:
    h = findings.headlines(STEM, params.validate(STEM, RUN))
    lines = notebooks.key_findings_lines(executed)
    assert lines == [" ".join(x.split()) for x in f30.finding_lines(h)]
    recorded = notebooks.headlines(executed)
    assert len(recorded) >= 8
    for name, value in recorded.items():
        assert notebooks.same(value, h[name]), (name, value, h[name])
    # the numbers in the prose are the model's, formatted
    m = scenario.run_scenario("E4203", financing="borrowing", horizon=8, discount=0.0).metrics
    text = " ".join(lines)
    assert fmt.gbp_m(m["npv_gbp_thousand"] / 1000) in text
    assert fmt.pct(m["coverage_year1"]) in text and "undiscounted" in text
    assert fmt.gbp_m(m["usable_reserves_gbp_thousand"] / 1000) in text


def test_timing_table_and_coverage_text() -> None:
    r = scenarios.run_from_params({"council": "E2532", "horizon": 6})
    t = tables.payback_timing(r.timing)
    assert t["coverage"].iloc[0] == "no gap"
    np.testing.assert_allclose(t["funding_gap_gbp_m"] * 1000, r.timing["funding_gap"])
    np.testing.assert_allclose(t["cumulative_cash_flow_gbp_m"].iloc[-1] * 1000, r.arrays.programme_cash_flow.sum())
    gap_years = r.timing["funding_gap"] > 0
    assert (t.loc[gap_years, "coverage"] != "no gap").all()


def test_financing_table_agrees_with_running_each_option() -> None:
    from sharedservices.model import financing

    base = {"council": "E0521", "horizon": 10, "discount": "none"}
    options = tables.financing_options(scenarios.run_from_params(base))
    assert tuple(options.index) == financing.FINANCING_OPTIONS  # a fixed order, never ranked
    assert "rank" not in " ".join(options.columns) and "best" not in " ".join(options.columns)
    for opt in financing.FINANCING_OPTIONS:
        m = scenarios.run_from_params({**base, "financing": opt}).metrics
        assert options.loc[opt, "budget_effect_pv_gbp_m"] == pytest.approx(m["budget_effect_pv_gbp_thousand"] / 1000)
        assert options.loc[opt, "financing_cost_gbp_m"] == pytest.approx(m["financing_cost_gbp_thousand"] / 1000)
        assert options.loc[opt, "available"] == (m["financing_fallback"] is None)
    assert options["chosen"].tolist().count(True) == 1 and options.loc["reserves", "chosen"]


def test_affordability_in_real_terms_and_cash() -> None:
    from sharedservices.inputs import assumptions

    r = scenarios.run_from_params({"council": "E4203", "programme": "broad", "financing": "borrowing"})
    defl = assumptions.value("prices.gdp_deflator")
    a = tables.affordability(r, defl, assumptions.value("financing.inflation_assumption"))
    np.testing.assert_allclose(a["revenue_effect_gbp_m"] * 1000, r.timing["net_savings"])
    p1 = defl["2011-12"] / defl["2010-11"]
    assert a["revenue_effect_cash_gbp_m"].iloc[1] == pytest.approx(a["revenue_effect_gbp_m"].iloc[1] * p1)
    assert a["revenue_effect_cash_gbp_m"].iloc[0] == pytest.approx(a["revenue_effect_gbp_m"].iloc[0])
    np.testing.assert_allclose(a["budget_effect_gbp_m"], a["revenue_effect_gbp_m"] - a["reserves_draw_gbp_m"])


def test_penalty_and_benchmarks_add_up() -> None:
    h = f30.headlines(council="E5014", cut_path="parametric", front_loading=0.8, programme="broad")
    pen = tables.front_loading_penalty_table(h)
    a, b, c = pen["front_loading_penalty_gbp_m"]
    assert c == pytest.approx(a - b)
    assert h["penalty_absorbed_share"] == pytest.approx(c / a)
    bench = tables.savings_benchmarks(h)
    assert bench["pct_of_tse"].iloc[2] == pytest.approx(100 * h["benchmark_realistic_share_of_tse"])
    assert bench["pct_of_tse"].iloc[0] == pytest.approx(100 * h["gross_steady_state_saving_share_of_tse"])


def test_verdicts_follow_the_numbers() -> None:
    no = f30.headlines(council="E2532")
    assert no["closes_gap_in_sr_period"] is False and f30.finding_lines(no)[0].startswith("No:")
    # no cut and no care demand in a shire district: nothing to close
    none = f30.headlines(council="E2532", cut_path="parametric", total_cut_multiplier=0.0)
    assert none["best_coverage"] is None and f30.finding_lines(none)[0].startswith("There is no gap")
    # a small cut and generous savings: closed within the period
    yes = f30.headlines(council="E2532", cut_path="parametric", total_cut_multiplier=0.05,
                        savings_multiplier=5.0, optimism_bias=False)
    assert yes["closes_gap_in_sr_period"] is True and f30.finding_lines(yes)[0].startswith("Yes:")
    assert yes["gap_closed_year"] <= 4


def test_red_assumptions_are_cited() -> None:
    with assumptions.recording() as used:
        scenarios.run_from_params({"council": "E2532"})
    red = tables.red_assumptions(used)
    assert "programmes.partnership.annual_failure_probability" in set(red["key"])
    assert list(red.columns) == ["key", "value", "why_red", "source_title", "source_url"]
    assert (red["why_red"].str.len() > 0).all() and (red["source_title"].str.len() > 0).all()


def test_assumptions_table_is_what_the_report_read(executed) -> None:
    """Issue 14: the report's table is the record of what its run read.  On the SR2010 path
    it lists the formula-grant plans the cut path read, and not the local-government DEL
    plans (which the old hand-kept list cited and no SR2010 report reads)."""
    keys = list(notebooks.tagged_table(executed, "assumptions")["key"])
    assert len(keys) == len(set(keys))
    assert "sr2010.formula_grant_cash_gbp_bn" in keys
    assert "sr2010.lg_resource_del_cash_gbp_bn" not in keys
    assert "sr2010.real_terms_cut" not in keys  # only the parametric path scales it
    with assumptions.recording() as used:  # the report's headlines, in this process
        findings.headlines(STEM, params.validate(STEM, RUN))
    assert set(used) <= set(keys)
    assert {"reference_class.minimum_cases", "optimism_bias.table", "frontline.cut_persistence",
            "uncertainty.exit_cost_ratio", "financing.pwlb_rate_nominal"} <= set(keys)


def test_no_first_year_gap_is_said_in_words() -> None:
    h = f30.headlines(council="E2532", cut_path="parametric", total_cut_multiplier=0.0)
    assert h["coverage_year1"] is None
    line = f30.finding_lines(h)[1]
    assert "no funding gap" in line and fmt.gbp_m(h["one_off_cost_gbp_m"]) in line
