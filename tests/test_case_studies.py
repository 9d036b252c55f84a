"""sharedservices.model.case_studies: claim arithmetic, the case definitions, and the comparison.

The arithmetic is checked on hand-made arrays and a stand-in ``run_scenario``; one test
recomputes a real case from :func:`sharedservices.model.scenario.run_scenario` directly.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import assumptions, data
from sharedservices.model import case_studies, cited, scenario
from sharedservices.model.case_studies import CASES, Case, Claim, claim_model_value

GROSS = np.array([0.0, 2.0, 5.0, 7.0, 7.0, 7.0])


@pytest.mark.parametrize(("claim", "expected"), [
    (Claim("m", "annual", 1), 2.0),
    (Claim("m", "annual", 3), 7.0),
    (Claim("m", "cumulative", 1), 2.0),
    (Claim("m", "cumulative", 4), 21.0),
    (Claim("m", "steady"), 9.5),
])
def test_claim_model_value(claim: Claim, expected: float) -> None:
    assert claim_model_value(GROSS, 1, claim, 9.5) == pytest.approx(expected)


def test_claim_model_value_respects_the_start_year() -> None:
    assert claim_model_value(GROSS, 2, Claim("m", "cumulative", 2), 0.0) == pytest.approx(12.0)


def test_claim_beyond_horizon_is_an_input_error() -> None:
    with pytest.raises(InputError, match="claim 'm': needs model year 6"):
        claim_model_value(GROSS, 1, Claim("m", "annual", 6), 0.0)


@pytest.mark.parametrize(("kind", "years"), [("annual", 0), ("cumulative", -1), ("steady", 3), ("total", 1)])
def test_bad_claims_are_refused(kind: str, years: int) -> None:
    with pytest.raises(InputError):
        Claim("m", kind, years)  # type: ignore[arg-type]


def test_every_case_names_real_councils_presets_and_cited_claims() -> None:
    presets = cited.preset_names()
    for case in CASES:
        assert case.preset in presets
        assert len(case.councils) >= 2
        for code in case.councils:
            assert data.resolve_council(code) == code
        for claim in case.claims:
            a = assumptions.get(f"case_studies.{case.key}.{claim.metric}")
            assert isinstance(a.value, int | float) and a.value > 0
            assert "£m" in a.unit and a.price_base == "cash"
            assert a.quality != "green"  # claims are amber at best


def _fake_run(per_council: dict[str, tuple[list[float], float]]):
    """A stand-in run_scenario: gross savings (£ thousand) and a steady state per council."""
    calls = []

    def run(code: str, preset: str, *, horizon: int, optimism_adjustment: object = None) -> SimpleNamespace:
        calls.append((code, preset, horizon, optimism_adjustment))
        gross, ss = per_council[code]
        metrics = {"gross_steady_state_saving_gbp_thousand": ss, "steady_state_saving_gbp_thousand": ss * 0.8,
                   "one_off_cost_gbp_thousand": 100.0, "total_service_expenditure_gbp_thousand": 50_000.0}
        return SimpleNamespace(metrics=metrics, arrays=SimpleNamespace(gross_savings=np.array(gross)))

    run.calls = calls
    return run


def _tiny_case(key: str, claims: tuple[Claim, ...]) -> Case:
    return Case(key, "Demo", ("A", "B"), "back_office", "2010-11", claims, why="scope")


def test_compare_sums_partners_and_sets_claims_beside_the_model() -> None:
    case = CASES[1]  # Compass Point: claims in year 1, over 2 years and over 10 years
    gross_a = [0.0, 0.0] + [1000.0] * 9
    gross_b = [0.0, 500.0] + [2000.0] * 9
    run = _fake_run({case.councils[0]: (gross_a, 1000.0), case.councils[1]: (gross_b, 2000.0)})
    t = case_studies.compare([case], run=run)
    assert [c[1] for c in run.calls] == ["back_office", "back_office"]
    rows = t.set_index("claim")
    assert rows.loc["first_year_saving_gbp_m", "model_gbp_m"] == pytest.approx(0.5)
    assert rows.loc["two_year_cumulative_saving_gbp_m", "model_gbp_m"] == pytest.approx(0.5 + 3.0)
    assert rows.loc["business_case_saving_gbp_m", "model_gbp_m"] == pytest.approx(0.5 + 9 * 3.0)
    reported = assumptions.value("case_studies.cpbs.first_year_saving_gbp_m")
    assert rows.loc["first_year_saving_gbp_m", "ratio"] == pytest.approx(reported / 0.5)
    spread = assumptions.value("programmes.spread.savings_rate")
    expected = (rows["ratio"] - 1).abs() <= spread
    assert (rows["within_spread"] == expected).all()


def test_compare_with_a_programme_override_runs_that_preset() -> None:
    case = CASES[-1]
    run = _fake_run({c: ([0.0] * 11, 10.0) for c in case.councils})
    t = case_studies.compare([case], programme="broad", run=run)
    assert {c[1] for c in run.calls} == {"broad"}
    assert (t["programme"] == "broad").all()
    assert np.isfinite(t["ratio"]).all()


def test_zero_model_saving_is_a_miss_not_a_dropped_row() -> None:
    case = _tiny_case("adur_worthing", (Claim("saving_2011_12_gbp_m", "annual", 1),))
    run = _fake_run({"A": ([0.0] * 11, 0.0), "B": ([0.0] * 11, 0.0)})
    t = case_studies.compare([case], run=run)
    assert t.loc[0, "ratio"] == np.inf and t.loc[0, "model_zero"] and not t.loc[0, "within_spread"]
    assert t.loc[0, "direction"] == "reported above model"
    s = case_studies.comparison_summary(t)
    assert s["out_of_sample_claims"] == 1 and s["misses"] == 1 and s["above_model"] == 1
    assert s["median_ratio"] == np.inf and s["model_zero"] == 1


def test_each_case_is_predicted_with_its_own_pairs_left_out() -> None:
    run = _fake_run({c: ([1.0] * 11, 1.0) for c in ("E3320", "E3333")})
    case = next(c for c in CASES if c.key == "south_west_one")
    case_studies.compare([case], run=run)
    adjs = {id(c[3]): c[3] for c in run.calls}
    assert len(adjs) == 1
    adj = next(iter(adjs.values()))
    assert adj.excluded == ("south_west_one",)
    # South West One is in the savings reference class: leaving it out drops one pair

    assert adj.cases["savings"] == cited.adjustment().cases["savings"] - 1


def test_in_sample_cases_are_those_that_calibrated_what_they_test() -> None:
    t = case_studies.compare()
    in_sample = set(t.loc[t["in_sample"], "case"])
    assert in_sample == {"tri_borough", "cpbs", "lgss"}
    assert (t.loc[t["in_sample"], "calibrated_from_case"] != "").all()
    s = case_studies.comparison_summary(t)
    assert s["claims"] == len(t) == sum(len(c.claims) for c in CASES)  # every claim counted
    assert s["out_of_sample_claims"] + s["in_sample_claims"] == s["claims"]
    assert s["timing_claims"] + s["level_claims"] == s["out_of_sample_claims"]


def test_every_parameter_a_case_supplied_is_declared() -> None:
    """A cited programme assumption whose citation names a case must be listed in that case's
    ``calibrates`` (otherwise the case would be tested in sample without saying so)."""
    import re

    words = {"tri_borough": r"tri-borough", "cpbs": r"\bCPBS\b|Compass Point", "lgss": r"\bLGSS\b"}
    by_key = {c.key: c for c in CASES}
    shipped = assumptions.load_all()
    for case, pattern in words.items():
        for key, a in shipped.items():
            if (not key.startswith("programmes.service.") or key.endswith("one_off_capital_share")
                    or a.is_suite_assumption):  # a judgement that merely mentions a case
                continue
            text = f"{a.source_title} {a.quality_note}"
            if re.search(pattern, text, flags=re.I) and not key.endswith("addressable_share"):
                service = key.split(".")[2]
                if service in assumptions.value("programmes.preset.broad"):
                    assert key in by_key[case].calibrates, (case, key)


def test_real_case_matches_run_scenario_directly() -> None:
    case = next(c for c in CASES if c.key == "south_west_one")
    t = case_studies.compare([case]).set_index("claim")
    by_hand = sum(scenario.run_scenario(code, case.preset, horizon=10).arrays.gross_savings[1:6].sum()
                  for code in case.councils) / 1000.0
    assert t.loc["saving_to_dec_2012_gbp_m", "model_gbp_m"] == pytest.approx(by_hand, rel=1e-12)
    steady = sum(scenario.run_scenario(code, case.preset).metrics["gross_steady_state_saving_gbp_thousand"]
                 for code in case.councils) / 1000.0
    overview = case_studies.case_overview([case]).iloc[0]
    assert overview["steady_state_gross_gbp_m"] == pytest.approx(steady, rel=1e-12)
    assert 0 < overview["steady_state_gross_share_of_tse_pct"] < 100


def test_summary_picks_extremes_out_of_sample() -> None:
    t = pd.DataFrame({"case": ["a", "b", "c", "d"], "ratio": [3.0, np.inf, 0.5, 9.0], "claim": ["w", "x", "y", "z"],
                      "plan": [False, False, False, False],
                      "model_zero": [False, True, False, False], "within_spread": [False, False, True, False],
                      "in_sample": [False, False, False, True], "error_kind": ["level", "timing", "level", "level"],
                      "direction": ["reported above model", "reported above model", "reported below model",
                                    "reported above model"]})
    s = case_studies.comparison_summary(t)
    assert (s["largest_overclaim_case"], s["largest_shortfall_case"]) == ("a", "c")  # d is in sample
    assert s["median_ratio"] == pytest.approx(3.0)  # of 0.5, 3, inf
    assert (s["claims"], s["cases"], s["within_spread"], s["below_model"]) == (4, 4, 1, 1)
    assert (s["timing_claims"], s["level_claims"], s["level_median_ratio"]) == (1, 2, pytest.approx(1.75))


def test_the_comparison_records_the_assumptions_it_reads() -> None:
    with assumptions.recording() as used:
        case_studies.compare(case_studies.CASES[:1])
    keys = list(used)
    table = assumptions.table(keys)
    assert len(table) == len(keys) == len(set(keys))
    assert "programmes.service.adult_social_care.savings_rate" in keys  # Tri-borough's broad preset
    assert "case_studies.tri_borough.in_year_saving_2012_13_gbp_m" in keys
    assert "scale.near_km" not in keys
