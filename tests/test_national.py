"""National aggregations behind reports 10 and 20: sharedservices.model.national and the
front_loading / savings tables, checked against the model and against hand-computed frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import assumptions
from sharedservices.model import cited, cuts, national, scenario
from sharedservices.report import findings
from sharedservices.report.tables import front_loading as tf
from sharedservices.report.tables import savings as ts

# --------------------------------------------------------------------------- front-loading tables


def test_no_net_cut_is_counted_never_given_a_number() -> None:
    flt = pd.DataFrame({"ecode": list("ABCDE"), "front_loading_index": [0.1, 0.5, 0.9, np.nan, np.nan],
                        "real_cut_share": [0.3, 0.2, 0.25, -0.05, 0.0]})
    c = pd.DataFrame({"ecode": list("ABCDE"), "class": ["SD", "SD", "SD", "SD", "UA"],
                      "region": ["EE", "EE", "SE", "SE", "SE"]})
    t = tf.front_loading_by_group(flt, c, "class", sr2010_index=0.3)
    assert t.loc["SD", ["councils", "with_net_cut", "no_net_cut"]].tolist() == [4, 3, 1]
    assert t.loc["SD", "index_median"] == pytest.approx(0.5)
    assert t.loc["SD", "more_front_loaded_than_sr2010"] == 2
    assert math.isnan(t.loc["UA", "index_median"]) and t.loc["UA", "no_net_cut"] == 1
    assert t.loc["All", "median_real_cut_pct_of_2010_11"] == pytest.approx(20.0)
    r = tf.front_loading_by_group(flt.assign(region="stale"), c, "region")  # merged column replaced
    assert list(r.index) == ["EE", "SE", "All"] and r.loc["SE", "no_net_cut"] == 2


def test_sr2010_against_even_has_the_same_end_and_the_model_index() -> None:
    d = scenario.defaults_from_assumptions()
    sr = tf.sr2010_against_even(d.sr2010_ratio, d.sr2010_period_years)
    assert list(sr.index) == ["2010-11", "2011-12", "2012-13", "2013-14", "2014-15"]
    assert sr["sr2010_index"].iloc[-1] == pytest.approx(sr["even_index"].iloc[-1])
    steps = np.diff(sr["even_index"].to_numpy())
    assert np.allclose(steps, steps[0])
    gaps = sr["sr2010_gap_pct_of_2010_11"].to_numpy()[1:]
    assert cuts.front_loading_index(gaps) == pytest.approx(scenario.sr2010_front_loading_index())


def test_service_change_is_blank_across_a_change_of_sign() -> None:
    s = pd.DataFrame({
        "ecode": ["A"] * 6, "year": ["2010-11"] * 3 + ["2014-15"] * 3,
        "service": ["highways_transport", "cultural", "social_care"] * 1 + ["highways_transport", "cultural",
                                                                            "adult_social_care"],
        "gbp_thousand": [10.0, 50.0, 100.0, -5.0, 40.0, 90.0]})
    c = pd.DataFrame({"ecode": ["A"], "class": ["SD"]})
    t = tf.service_change(s, c)
    assert math.isnan(t.loc["highways_transport", "SD"])
    assert t.loc["cultural", "SD"] == pytest.approx(-20.0)
    assert t.loc["social_care", "All"] == pytest.approx(-10.0)  # 2010-11 single line vs its 2011-12 parts


def test_funding_breaks_sum_and_share() -> None:
    flt = pd.DataFrame({"ecode": ["A", "B"], "central_funding_2010_11_gbp_thousand": [1000.0, 3000.0],
                        "rollin_abg_gbp_thousand": [100.0, 300.0], "retention_step_gbp_thousand": [50.0, -10.0]})
    c = pd.DataFrame({"ecode": ["A", "B"], "class": ["UA", "SC"]})
    t = tf.funding_breaks_by_class(flt, c)
    assert list(t.index) == ["SC", "UA", "All"]
    assert t.loc["All", "rollin_abg_gbp_m"] == pytest.approx(0.4)
    assert t.loc["All", "retention_step_pct_of_2010_11"] == pytest.approx(1.0)


def test_funding_paths_are_the_model_s_actual_path() -> None:
    fp = national.funding_paths(["E4203"])
    path = cuts.extend_path(scenario.council_inputs("E4203").actual_funding, 7)
    by_year = dict(zip(fp["year"], fp["gbp_thousand"], strict=True))
    assert set(by_year) == set(national.DATA_YEARS)
    for y, v in by_year.items():
        assert v == pytest.approx(path[cuts.year_index(y)])
    cash = national.funding_paths(["E4203"], real=False).set_index("year")["gbp_thousand"]
    assert cash["2014-15"] == pytest.approx(by_year["2014-15"] * national.deflator()["2014-15"] / 100.0)


def test_principal_councils_rejects_an_unknown_class() -> None:
    assert set(national.principal_councils("MD")["class"]) == {"MD"}
    with pytest.raises(InputError, match="council_class: 'O'"):
        national.principal_councils("O")


# --------------------------------------------------------------------------- savings potential


def test_savings_potential_matches_the_scenario_model() -> None:
    spend = national.service_spend(["E0521", "E2532"])
    presets = {n: cited.preset(n) for n in ("back_office", "broad")}
    pot = national.savings_potential(spend, presets, savings_multiplier=1.3).set_index(["ecode", "programme"])
    for code in ("E0521", "E2532"):
        for name in presets:
            m = scenario.run_scenario(code, name, savings_multiplier=1.3).metrics
            row = pot.loc[(code, name)]
            assert row["gross_share_of_tse"] == pytest.approx(m["gross_steady_state_saving_share_of_tse"], rel=1e-12)
            assert row["gross_share_of_core_spending"] == pytest.approx(
                m["gross_steady_state_saving_share_of_core_spending"], rel=1e-12)
    with pytest.raises(InputError, match="savings_multiplier"):
        national.savings_potential(spend, presets, savings_multiplier=-1.0)


def test_service_spend_later_years_are_deflated_rs_lines() -> None:
    from sharedservices.inputs import data

    w = national.service_spend(["E4203"], "2014-15").loc["E4203"]
    raw = data.spending_wide("2014-15").loc["E4203"]
    factor = 100.0 / national.deflator()["2014-15"]
    assert w["total_service_expenditure"] == pytest.approx(raw["total_service_expenditure"] * factor)
    assert w["central"] == pytest.approx(raw["central"] * factor)
    assert w["core_spending"] == pytest.approx(
        w["total_service_expenditure"] - w["education"] - w["police"] - w["fire"] - w["public_health"])


def test_reach_and_medians_by_hand() -> None:
    pot = pd.DataFrame({"ecode": ["A", "B", "C"] * 2, "programme": ["back_office"] * 3 + ["broad"] * 3,
                        "gross_share_of_tse": [0.02, 0.04, 0.06, 0.05, 0.10, 0.12],
                        "gross_share_of_core_spending": [0.03, 0.05, 0.08, 0.09, 0.11, np.nan],
                        "gross_gbp_thousand": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    c = pd.DataFrame({"ecode": ["A", "B", "C"], "name": ["a", "b", "c"], "class": ["SD", "SD", "UA"]})
    reach = ts.reach_by_class(pot, c, 0.10)
    assert reach.loc["SD", "broad"] == pytest.approx(50.0) and reach.loc["UA", "broad"] == 100.0
    assert reach.loc["All", "back_office"] == 0.0 and list(reach.columns) == ["back_office", "broad"]
    core = ts.reach_by_class(pot, c, 0.10, "core_spending")
    assert core.loc["All", "broad"] == pytest.approx(50.0)  # C has no core basis: left out
    med = ts.savings_by_class(pot, c)
    assert med.loc[("broad", "All"), "median_pct_of_tse"] == pytest.approx(10.0)
    assert ts.savings_totals(pot, c).loc["All", "broad"] == pytest.approx(0.015)
    wide = ts.council_savings(pot, c)
    assert list(wide.index) == ["A", "B", "C"] and wide.loc["C", "broad"] == pytest.approx(12.0)
    with pytest.raises(KeyError, match="basis"):
        ts.reach_by_class(pot, c, 0.1, "budget")


def test_evidence_is_labelled_and_claims_are_claims() -> None:
    keys = ts.evidence_keys(assumptions.load_all())
    assert keys == list(ts.EVIDENCE_KEYS)  # every key the report shows exists
    t = ts.savings_evidence(assumptions.table(keys)).set_index("key")
    assert t.loc["savings_evidence.back_office_realistic", "evidence"] == "published estimate"
    assert t.loc["savings_evidence.imc_waste_cost_saving", "evidence"] == "peer-reviewed study"
    assert t.loc["savings_evidence.tri_borough_target_saving_rate", "evidence"] == "claim"
    amber = t[t["quality"] == "amber"]
    assert (amber["evidence"] != "published estimate").all()


def test_report_20_records_the_assumptions_its_savings_read() -> None:
    with assumptions.recording() as used:
        findings.headlines("20-savings-potential", {"year": "2010-11", "savings_multiplier": 1.0})
    keys = list(used)
    assert {"programmes.service.central.savings_rate", "programmes.back_office_overhead_share",
            "savings_evidence.ambitious_target", "prices.gdp_deflator"} <= set(keys)
    assert not any(k.startswith(("sr2010.", "financing.", "reference_class.")) for k in keys)
    red = national.red_citations(keys)
    assert red["citation"].str.contains("red").all()
    assert set(red["key"]) == {k for k in keys if assumptions.get(k).quality == "red"}


# --------------------------------------------------------------------------- headline functions


def test_front_loading_headlines_add_up() -> None:
    h = findings.headlines("10-front-loading", {"council_class": "MD", "deflate": False})
    flt = scenario.front_loading_table(national.principal_councils("MD")["ecode"])
    assert h["councils"] == len(flt) == h["councils_with_net_cut"] + h["councils_no_net_cut"]
    assert h["median_front_loading_index"] == pytest.approx(flt["front_loading_index"].median())
    assert h["most_front_loaded_class"] == "MD"
    assert h["education_change_pct"] < 0 and h["largest_fall_service"] != "education"
    real = findings.headlines("10-front-loading", {"council_class": "MD", "deflate": True})
    assert real["central_funding_change_2014_15_pct"] < h["central_funding_change_2014_15_pct"]  # inflation
    assert real["median_front_loading_index"] == h["median_front_loading_index"]  # always real


def test_savings_headlines_scale_with_the_multiplier() -> None:
    one = findings.headlines("20-savings-potential", {"year": "2010-11", "savings_multiplier": 1.0})
    two = findings.headlines("20-savings-potential", {"year": "2010-11", "savings_multiplier": 2.0})
    assert two["back_office_median_pct_of_tse"] == pytest.approx(2 * one["back_office_median_pct_of_tse"])
    assert two["broad_england_gbp_m"] == pytest.approx(2 * one["broad_england_gbp_m"])
    assert two["broad_reach_10_tse_pct"] >= one["broad_reach_10_tse_pct"]
    assert one["close_to_10_pct"] == pytest.approx(100 * assumptions.value("savings_evidence.ambitious_target"))
    # the multiple needed does not depend on where you start, and at that multiple the median reaches 10 %
    needed = one["broad_rates_multiple_for_median_to_reach_10_tse"]
    assert two["broad_rates_multiple_for_median_to_reach_10_tse"] == pytest.approx(needed)
    at = findings.headlines("20-savings-potential", {"year": "2010-11", "savings_multiplier": needed})
    assert at["broad_median_pct_of_tse"] == pytest.approx(one["close_to_10_pct"])
