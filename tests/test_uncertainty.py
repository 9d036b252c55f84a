"""Monte Carlo: exact agreement with the deterministic model, convergence, reproducibility,
summaries and one-way sensitivities."""

from __future__ import annotations

import numpy as np
import pytest
from sharedservices.errors import InputError
from sharedservices.model import cited, programmes, scenario, uncertainty

ZERO = {k: 0.0 for k in uncertainty.SPREAD_KEYS}


@pytest.fixture(scope="module")
def council() -> scenario.CouncilInputs:
    spend = {s: 0.0 for s in programmes.SERVICES}
    spend.update(
        education=100_000, adult_social_care=40_000, childrens_social_care=17_000,
        environmental_regulatory=13_000, highways_transport=8_000, cultural=8_000, central=6_000,
        housing=3_000, planning_development=3_000, other=2_000,
    )
    return scenario.CouncilInputs(
        "E9997", "Synthetic", spend, sum(spend.values()), base_funding=80_000.0,
        actual_funding=np.array([80_000.0, 70_000, 66_000, 64_000, 60_000]), usable_reserves=15_000.0,
    )


@pytest.mark.parametrize("fin", ["reserves", "borrowing", "gain_share", "grant", "revenue"])
@pytest.mark.parametrize("cut_path", ["sr2010", "parametric"])
def test_zero_spreads_no_failure_equals_deterministic_exactly(council, fin, cut_path) -> None:
    det = scenario.run_scenario(council, "broad", fin, cut_path=cut_path, failure_probability=0.0, delay_years=0.5)
    mc = uncertainty.monte_carlo(council, "broad", fin, draws=7, spreads=ZERO, failure_probability=0.0,
                                 cut_path=cut_path, delay_years=0.5)
    for d in range(7):
        assert np.array_equal(mc.net_savings[d], det.timing["net_savings"].to_numpy())
        assert np.array_equal(mc.programme_cash_flow[d], det.timing["programme_cash_flow"].to_numpy())
    row = mc.draws.iloc[0]
    m = det.metrics
    assert row["npv_gbp_thousand"] == m["npv_gbp_thousand"]
    assert row["payback_year"] == (-1 if m["payback_year"] is None else m["payback_year"])
    assert row["cumulative_frontline_cuts_gbp_thousand"] == m["cumulative_frontline_cuts_gbp_thousand"]
    assert row["front_loading_penalty_gbp_thousand"] == m["front_loading_penalty_gbp_thousand"]


def test_with_failure_mean_converges_on_expected_value(council) -> None:
    """Only failure random: the mean gross saving per year over 100,000 draws is within
    0.7 % of the steady-state saving of the deterministic (survival-weighted) value.
    (Per-year SE is sqrt(s(1-s)/n) x saving <= 0.16 % for survival s; 0.7 % is > 4 SE.)"""
    det = scenario.run_scenario(council, "broad", failure_probability=0.1)
    mc = uncertainty.monte_carlo(council, "broad", draws=100_000, spreads=ZERO, failure_probability=0.1, seed=7)
    expected = det.timing["gross_savings"].to_numpy()
    scale = det.metrics["gross_steady_state_saving_gbp_thousand"]
    np.testing.assert_allclose(mc.gross_savings.mean(axis=0), expected, atol=0.007 * scale)
    assert mc.draws["npv_gbp_thousand"].mean() == pytest.approx(det.metrics["npv_gbp_thousand"], abs=0.05 * scale)


def test_seeded_and_reproducible_independent_of_chunking(council) -> None:
    si = scenario.resolve(council, "broad")
    sp = dict(cited.spreads())
    a = uncertainty.simulate(si, "reserves", sp, 3000, seed=11, chunk=512)
    b = uncertainty.simulate(si, "reserves", sp, 3000, seed=11, chunk=4096)
    c = uncertainty.simulate(si, "reserves", sp, 3000, seed=12)
    assert np.array_equal(a.net_savings, b.net_savings)
    assert not np.array_equal(a.net_savings, c.net_savings)


def test_spreads_widen_the_fan_and_summaries_are_probabilities(council) -> None:
    mc = uncertainty.monte_carlo(council, "broad", draws=5000)
    fan = mc.fan_chart("net_savings")
    assert list(fan.columns[:2]) == ["financial_year", "mean"]
    assert np.all(fan["p95"].to_numpy() >= fan["p5"].to_numpy())
    assert (fan["p95"] - fan["p5"]).iloc[-1] > 0
    s = mc.summary()
    for k in ("p_payback_within_sr_period", "p_never_pays_back", "p_coverage_year1_at_least_half"):
        assert 0.0 <= s[k] <= 1.0
    assert mc.p_payback_within(40) >= mc.p_payback_within(4)
    assert mc.p_coverage_at_least(-1e9, 1) == 1.0 and mc.p_coverage_at_least(0.5, 0) == 0.0
    with pytest.raises(InputError):
        mc.fan_chart("happiness")


def test_lognormal_multiplier_mean_one() -> None:
    z = np.random.default_rng(0).standard_normal(400_000)
    m = uncertainty.lognormal_multiplier(z, 0.5)
    assert m.mean() == pytest.approx(1.0, abs=0.005) and m.std() == pytest.approx(0.5, abs=0.01)
    with pytest.raises(InputError):
        uncertainty.lognormal_multiplier(z, -0.1)


def test_bad_spreads_and_draws(council) -> None:
    with pytest.raises(InputError, match="spreads"):
        uncertainty.monte_carlo(council, draws=10, spreads={"luck": 1.0})
    with pytest.raises(InputError, match="draws"):
        uncertainty.monte_carlo(council, draws=0)


def test_one_way_sensitivities_for_a_tornado(council) -> None:
    tab = uncertainty.one_way_sensitivities(council, "broad", cut_path="parametric")
    assert list(tab["parameter"].sort_values()) == sorted(uncertainty.TORNADO_INPUTS)
    assert tab["swing"].is_monotonic_decreasing
    s = tab.set_index("parameter")
    assert s.loc["savings_multiplier", "metric_high"] > s.loc["savings_multiplier", "metric_low"]
    assert s.loc["one_off_cost_multiplier", "metric_high"] < s.loc["one_off_cost_multiplier", "metric_low"]
    assert s.loc["lead_multiplier", "metric_high"] < s.loc["lead_multiplier", "metric_low"]  # later savings
    # the central case is the deterministic model
    det = scenario.run_scenario(council, "broad", cut_path="parametric").metrics["npv_gbp_thousand"]
    assert s["central"].iloc[0] == pytest.approx(det)
    with pytest.raises(InputError):
        uncertainty.one_way_sensitivities(council, metric="council_name")
    with pytest.raises(InputError, match="percentiles"):
        uncertainty.one_way_sensitivities(council, percentiles=(90, 10))


def test_tornado_moves_every_input_over_the_same_probability_range(council) -> None:
    """Each input's low and high case sit at the same percentiles of its own Monte Carlo
    distribution: the share of draws at or below the low case is the low percentile."""
    lo_q, hi_q = scenario.defaults_from_assumptions().tornado_percentiles
    tab = uncertainty.one_way_sensitivities(council, "broad").set_index("parameter")
    mc = uncertainty.monte_carlo(council, "broad", draws=40_000, seed=3)
    for name in ("savings_multiplier", "one_off_cost_multiplier", "lead_multiplier", "ramp_multiplier"):
        x = mc.draws[name].to_numpy()
        assert np.mean(x <= tab.loc[name, "low"]) == pytest.approx(lo_q / 100, abs=0.01), name
        assert np.mean(x <= tab.loc[name, "high"]) == pytest.approx(hi_q / 100, abs=0.01), name
    fy = mc.draws["failure_year"].to_numpy()
    low = tab.loc["failure_year", "low"]
    assert low > 0 and np.mean((fy > 0) & (fy <= low)) >= lo_q / 100 - 0.01
    assert np.mean((fy > 0) & (fy < low)) < lo_q / 100


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_stated_correlation_is_recovered_from_the_draws(council, rho) -> None:
    mc = uncertainty.monte_carlo(council, "broad", draws=20_000, seed=5, correlation=rho)
    z_cost = np.log(mc.draws["one_off_cost_multiplier"].to_numpy())
    z_lead = np.log(mc.draws["lead_multiplier"].to_numpy())
    assert np.corrcoef(z_cost, z_lead)[0, 1] == pytest.approx(rho, abs=0.02)
    assert mc.settings["delay_cost_correlation"] == rho
    with pytest.raises(InputError, match="delay_cost_correlation"):
        uncertainty.monte_carlo(council, "broad", draws=10, correlation=1.5)


def test_default_correlation_is_the_cited_one(council) -> None:
    from sharedservices.inputs import assumptions

    mc = uncertainty.monte_carlo(council, "broad", draws=20_000, seed=5)
    z = np.corrcoef(np.log(mc.draws["one_off_cost_multiplier"]), np.log(mc.draws["lead_multiplier"]))[0, 1]
    assert z == pytest.approx(assumptions.value("uncertainty.delay_cost_correlation"), abs=0.02)


def test_lead_times_never_fall_below_zero(council) -> None:
    wide = uncertainty.monte_carlo(council, "broad", draws=20_000, seed=9, spreads={"delay_years": 3.0})
    assert (wide.draws["lead_multiplier"] > 0).all()  # a symmetric shock this wide would go negative
    mc = uncertainty.monte_carlo(council, "broad", draws=20_000, seed=9)
    assert mc.draws["lead_multiplier"].mean() == pytest.approx(1.0, abs=0.03)  # centred on the cited lead


def test_leaving_a_failed_partnership_costs_a_share_of_its_last_saving(council) -> None:
    from sharedservices.model.programmes import Programme, ServiceShare

    prog = Programme("one", (ServiceShare("central", 1.0, 0.2, 0.0, 0.0, 0.0, 0.0),), failure_probability=0.3)
    ratio = scenario.defaults_from_assumptions().exit_cost_ratio
    assert ratio > 0
    mc = uncertainty.monte_carlo(council, prog, draws=200, seed=2, spreads=ZERO, optimism_bias=False)
    saving = 0.2 * 6_000.0
    for i in range(200):
        fy = int(mc.draws["failure_year"].iloc[i])
        flows = mc.programme_cash_flow[i]
        if 1 < fy <= 10:
            assert flows[fy] == pytest.approx(-ratio * saving)  # no saving, the exit cost
            assert flows[fy - 1] == pytest.approx(saving)
    # the deterministic model carries the expected exit cost
    det = scenario.run_scenario(council, prog, optimism_bias=False)
    run = det.timing["running_costs"].to_numpy()
    surv = programmes.survival(np.arange(11), 1, 0.3)
    gross_if_alive = np.r_[0.0, np.full(10, saving)]
    expected = np.r_[0.0, ratio * gross_if_alive[:-1] * (surv[:-1] - surv[1:])]
    np.testing.assert_allclose(run, expected, rtol=1e-9, atol=1e-9)
