"""run_scenario: worked cases (tests/cases/*.yaml), behaviour on synthetic councils, and a
few integration checks on the real processed data (skipped when it is absent)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from sharedservices.errors import InputError
from sharedservices.model import cuts, programmes, scenario
from sharedservices.model.programmes import Programme, ServiceShare

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def council_from(spec: dict) -> scenario.CouncilInputs:
    spend = {s: 0.0 for s in programmes.SERVICES}
    spend.update({k: float(v) for k, v in spec["spend"].items()})
    tse = sum(spend.values())
    return scenario.CouncilInputs(
        "E9999",
        "Worked case",
        spend,
        tse,
        base_funding=float(spec["base_funding"]),
        actual_funding=np.array([float(spec["base_funding"])]),
        usable_reserves=float(spec["usable_reserves"]),
    )


def run_case(case: dict) -> scenario.ScenarioResult:
    prog = Programme(
        "case",
        tuple(ServiceShare(**s) for s in case["programme"]["services"]),
        failure_probability=case["programme"]["failure_probability"],
    )
    return scenario.run_scenario(council_from(case["council"]), prog, **case["path"], **case["settings"])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_worked_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    res = run_case(case)
    for col, expected in case["expected"]["timing"].items():
        np.testing.assert_allclose(res.timing[col].to_numpy(), expected, atol=1e-9, err_msg=col)
    for key, expected in case["expected"]["metrics"].items():
        got = res.metrics[key]
        if expected is None:
            assert got is None, key
        else:
            assert got == pytest.approx(expected, abs=1e-9), key


def test_at_least_three_worked_cases() -> None:
    assert len(CASES) >= 3


@pytest.fixture
def council() -> scenario.CouncilInputs:
    spend = {s: 0.0 for s in programmes.SERVICES}
    spend.update(
        education=100_000, adult_social_care=40_000, childrens_social_care=17_000,
        environmental_regulatory=13_000, highways_transport=8_000, cultural=8_000, central=6_000,
        housing=3_000, planning_development=3_000, other=2_000,
    )
    return scenario.CouncilInputs(
        "E9998", "Synthetic", spend, sum(spend.values()), base_funding=80_000.0,
        actual_funding=np.array([80_000.0, 70_000, 66_000, 64_000, 60_000]), usable_reserves=15_000.0,
    )


def test_metrics_are_json_friendly_and_complete(council) -> None:
    res = scenario.run_scenario(council, "broad")
    json.dumps(res.metrics)  # raises on numpy scalars or NaN-free violations of types
    m = res.metrics
    assert m["coverage_by_year"]["2010-11"] is None  # year 0 has no gap
    assert m["front_loading_penalty_absorbed_gbp_thousand"] == pytest.approx(
        m["front_loading_penalty_no_programme_gbp_thousand"] - m["front_loading_penalty_gbp_thousand"]
    )
    assert len(res.timing) == 11 and res.timing.index[0] == 0
    assert res.timing["financial_year"].iloc[-1] == "2020-21"


def test_cut_allocation_skips_shared_and_protected(council) -> None:
    res = scenario.run_scenario(council, "back_office", protect=["adult_social_care"])
    cut_cols = [c for c in res.timing.columns if c.startswith("cut_")]
    assert "cut_central" not in cut_cols and "cut_adult_social_care" not in cut_cols
    assert "cut_education" not in cut_cols  # outside core spending
    np.testing.assert_allclose(res.timing[cut_cols].sum(axis=1), res.timing["frontline_cuts"])


def test_more_savings_means_fewer_cuts_and_more_npv(council) -> None:
    lo = scenario.run_scenario(council, "broad", savings_multiplier=0.5).metrics
    hi = scenario.run_scenario(council, "broad", savings_multiplier=1.5).metrics
    assert hi["cumulative_frontline_cuts_gbp_thousand"] < lo["cumulative_frontline_cuts_gbp_thousand"]
    assert hi["npv_gbp_thousand"] > lo["npv_gbp_thousand"]


def test_delay_postpones_payback(council) -> None:
    a = scenario.run_scenario(council, "back_office", failure_probability=0.0).metrics["payback_year"]
    b = scenario.run_scenario(council, "back_office", failure_probability=0.0, delay_years=2).metrics["payback_year"]
    assert a is not None and b is not None and b >= a + 2 - 1  # integer years, fractional onset


def test_optimism_bias_raises_one_off_cost(council) -> None:
    on = scenario.run_scenario(council, "back_office").metrics["one_off_cost_gbp_thousand"]
    off = scenario.run_scenario(council, "back_office", optimism_bias=False).metrics["one_off_cost_gbp_thousand"]
    uplift = scenario.defaults_from_assumptions().optimism["reference_class"].one_off_cost
    assert on == pytest.approx(off * (1 + uplift))
    upper = scenario.run_scenario(council, "back_office", optimism_adjustment="green_book_upper").metrics
    assert upper["one_off_cost_gbp_thousand"] == pytest.approx(
        off * (1 + scenario.defaults_from_assumptions().optimism["green_book_upper"].one_off_cost))
    with pytest.raises(InputError, match="optimism_adjustment"):
        scenario.run_scenario(council, "back_office", optimism_adjustment="hopeful")


def test_front_loading_penalty_grows_with_phi(council) -> None:
    pens = [
        scenario.run_scenario(council, "back_office", cut_path="parametric", front_loading=phi).metrics[
            "front_loading_penalty_no_programme_gbp_thousand"
        ]
        for phi in (0.0, 0.5, 1.0)
    ]
    assert pens[0] == pytest.approx(0.0, abs=1e-6) and pens[0] < pens[1] < pens[2]


def test_parametric_default_front_loading_is_the_sr2010_index(council) -> None:
    sr = scenario.run_scenario(council, "back_office").metrics["front_loading_index"]
    par = scenario.run_scenario(council, "back_office", cut_path="parametric").metrics["front_loading_index"]
    assert par == pytest.approx(sr)


def test_financing_options_all_run(council) -> None:
    runs = {f: scenario.run_scenario(council, "broad", financing=f).metrics for f in
            ("reserves", "borrowing", "gain_share", "grant", "revenue")}
    pv = {f: m["budget_effect_pv_gbp_thousand"] for f, m in runs.items()}
    # reserves and the revenue budget are both the council's own money: the same present value
    assert pv["reserves"] == pytest.approx(pv["revenue"])
    assert pv["grant"] > pv["reserves"]  # a grant is outside money
    assert runs["reserves"]["revenue_effect_year1_gbp_thousand"] > runs["revenue"]["revenue_effect_year1_gbp_thousand"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cut_path": "wobbly"},
        {"front_loading": 0.5},  # only with the parametric path
        {"cut_path": "parametric", "front_loading": 1.5},
        {"horizon": 0},
        {"savings_multiplier": -1},
        {"financing": "lottery"},
        {"programme": "everything"},
        {"protect": ["unicorns"]},
    ],
)
def test_bad_inputs_raise_one_line_input_errors(council, kwargs) -> None:
    with pytest.raises(InputError) as e:
        scenario.run_scenario(council, **kwargs)
    assert "\n" not in str(e.value)


# --- integration with the real processed data -------------------------------------------


def _has_data() -> bool:
    from sharedservices.inputs import paths

    return all((paths.processed_dir() / f).exists() for f in ("spending.csv", "finance.csv", "councils.csv"))


needs_data = pytest.mark.skipif(not _has_data(), reason="data/processed not built")


@needs_data
def test_real_council_runs_and_is_consistent() -> None:
    res = scenario.run_scenario("E0101", "back_office")
    m = res.metrics
    assert m["central_funding_base_gbp_thousand"] > 0
    assert 0 < m["core_spending_gbp_thousand"] < m["total_service_expenditure_gbp_thousand"]
    assert m["rollin_break_abg_gbp_thousand"] >= 0
    # SR2010 national profile: the year-4 gap is the cited real-terms cut, give or take the deflator
    assert 0.15 < m["funding_cut_share_of_base"] < 0.35
    # back-office sharing lands near NLGN's realistic 1.8 % of TSE, not near 10 %
    assert 0.005 < m["steady_state_saving_share_of_tse"] < 0.05


@needs_data
def test_real_council_actual_path_and_ons_code() -> None:
    from sharedservices.inputs import data

    ons = data.councils().set_index("ecode").loc["E0101", "ons_code"]
    a = scenario.run_scenario("E0101", "broad", cut_path="actual").metrics
    b = scenario.run_scenario(str(ons), "broad", cut_path="actual").metrics
    assert a["npv_gbp_thousand"] == b["npv_gbp_thousand"]
    assert a["front_loading_index"] is None or math.isfinite(a["front_loading_index"])


@needs_data
def test_front_loading_table_for_actual_paths() -> None:
    tab = scenario.front_loading_table(["E0101", "E0102"])
    assert list(tab["ecode"]) == ["E0101", "E0102"]
    row = tab.iloc[0]
    assert row["central_funding_2010_11_gbp_thousand"] > row["central_funding_2014_15_gbp_thousand"] > 0
    assert row["front_loading_label"] == cuts.NO_NET_CUT or np.isfinite(row["front_loading_index"])
    m = scenario.run_scenario("E0101", "back_office", cut_path="actual").metrics
    assert m["front_loading_index_sr_period"] == pytest.approx(row["front_loading_index"])


def test_sr2010_national_index_in_metrics(council) -> None:
    m = scenario.run_scenario(council, "back_office").metrics
    assert m["sr2010_national_front_loading_index"] == pytest.approx(scenario.sr2010_front_loading_index())
    assert m["front_loading_index_sr_period"] == pytest.approx(m["sr2010_national_front_loading_index"])
