"""Issue 14: every assumption the model reads is recorded, warm caches or cold, and nothing else.

A report's "assumptions used" table is :func:`sharedservices.inputs.assumptions.table` of a
:class:`~sharedservices.inputs.assumptions.Recording` started before its run.
"""

from __future__ import annotations

from sharedservices.inputs import assumptions
from sharedservices.model import scenario, uncertainty
from sharedservices.model.spec import Scenario


def _read(sc: Scenario) -> list[str]:
    with assumptions.recording() as used:
        scenario.run_scenario(sc)
    return list(used)


def test_the_sr2010_path_reads_its_plans_and_not_the_other_series() -> None:
    keys = _read(Scenario("E2532"))
    assert "sr2010.formula_grant_cash_gbp_bn" in keys and "prices.gdp_deflator" in keys
    assert "sr2010.lg_resource_del_cash_gbp_bn" not in keys
    assert "sr2010.real_terms_cut" not in keys  # only the parametric path scales the cited cut
    assert "programmes.preset.back_office" in keys
    assert not any(k.startswith("programmes.service.adult_social_care.") for k in keys)  # not shared


def test_each_path_records_what_it_reads() -> None:
    assert "sr2010.real_terms_cut" in _read(Scenario("E2532", cut_path="parametric"))
    actual = _read(Scenario("E2532", cut_path="actual"))
    assert "sr2010.real_terms_cut" not in actual
    # the metrics still set the council against the national SR2010 profile's index
    assert "sr2010.formula_grant_cash_gbp_bn" in actual


def test_what_the_run_reads_is_recorded_including_the_latest_additions() -> None:
    on = set(_read(Scenario("E2532", programme="broad", financing="gain_share")))
    assert {"reference_class.minimum_cases", "reference_class.savings_shortfall_floor", "optimism_bias.table",
            "frontline.cut_persistence", "uncertainty.exit_cost_ratio", "financing.partner_hurdle_rate_nominal",
            "discounting.green_book_schedule", "programmes.service.adult_social_care.savings_rate"} <= on
    assert any(k.startswith("reference_class.") and k.count(".") == 2 and k.endswith(".savings") for k in on)
    off = set(_read(Scenario("E2532", optimism_bias=False, discount="none")))
    assert not any(k.startswith(("reference_class.", "optimism_bias.")) for k in off)
    assert "discounting.green_book_schedule" not in off
    assert "uncertainty.delay_cost_correlation" not in off  # a Monte Carlo input, not the scenario's


def test_warm_caches_record_the_same_keys_as_cold_ones() -> None:
    assumptions.clear_cache()
    scenario.clear_cache()
    cold = _read(Scenario("E4203", programme="broad"))
    warm = _read(Scenario("E4203", programme="broad"))
    assert cold == warm


def test_the_monte_carlo_records_its_own_inputs() -> None:
    with assumptions.recording() as used:
        uncertainty.monte_carlo(Scenario("E2532", horizon=6), draws=100, seed=1)
    assert {"programmes.spread.savings_rate", "uncertainty.delay_cost_correlation"} <= set(used)
    assert "uncertainty.tornado_percentiles" not in used


def test_recordings_nest_and_stop() -> None:
    with assumptions.recording() as outer:
        with assumptions.recording() as inner:
            assumptions.value("sr2010.period_years")
        assumptions.value("prices.gdp_deflator")
    assumptions.value("frontline.cut_persistence")
    assert list(inner) == ["sr2010.period_years"]
    assert list(outer) == ["sr2010.period_years", "prices.gdp_deflator"]
