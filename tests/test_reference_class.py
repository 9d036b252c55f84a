"""Reference-class optimism bias: the pairs, the derivation, the fall-back and its use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import assumptions
from sharedservices.model import cited, programmes, reference_class, scenario
from sharedservices.model.programmes import Programme, ServiceShare

LOWER = {"capex": 0.1, "works_duration": 0.1, "opex": 0.0}


def _pairs(**quantities: list[tuple[float, float, str]]) -> pd.DataFrame:
    rows = [{"case": f"{q}{i}", "quantity": q, "plan": p, "outcome": o, "quality": r}
            for q, items in quantities.items() for i, (p, o, r) in enumerate(items)]
    return pd.DataFrame(rows)


def test_shipped_pairs_parse_and_name_their_cases() -> None:
    t = cited.reference_pairs()
    assert set(t["quantity"]) <= set(reference_class.QUANTITIES)
    assert (t.loc[t["quantity"] != "schedule", "plan"] > 0).all()
    sav = t[t["quantity"] == "savings"]
    np.testing.assert_allclose(sav["ratio"], sav["outcome"] / sav["plan"])
    assert t["key"].is_unique and t["source_url"].notna().all()


def test_enough_pairs_set_the_component_from_their_median() -> None:
    t = _pairs(savings=[(10, 6, "amber"), (10, 7, "amber"), (10, 9, "green")],
               one_off_cost=[(1, 1.5, "amber"), (1, 2.0, "amber"), (1, 3.0, "red")],
               schedule=[(0, 0.5, "amber"), (0, 1.0, "amber"), (0, 0.0, "amber")])
    a = reference_class.derive(t, minimum=3, floor=0.0, lower=LOWER)
    assert a.savings_shortfall == pytest.approx(0.3)       # 1 - median(0.6, 0.7, 0.9)
    assert a.one_off_cost == pytest.approx(1.0)            # median outturn/plan 2.0, less 1
    assert a.delay_years == pytest.approx(0.5) and a.duration == 0.0
    assert a.quality["savings_shortfall"] == "amber" and a.quality["one_off_cost"] == "amber"
    assert a.cases == {"savings": 3, "one_off_cost": 3, "schedule": 3}


def test_too_few_pairs_fall_back_to_the_green_book_lower_bound_rated_red() -> None:
    t = _pairs(savings=[(10, 6, "green")], one_off_cost=[(1, 3.0, "green")], schedule=[(0, 2.0, "green")])
    a = reference_class.derive(t, minimum=3, floor=0.0, lower=LOWER)
    assert (a.one_off_cost, a.duration, a.delay_years, a.savings_shortfall) == (0.1, 0.1, 0.0, 0.0)
    assert all(a.quality[c] == "red" for c in reference_class.COMPONENTS)
    assert "Green Book lower bound" in a.basis["one_off_cost"] and "fewer than 3" in a.basis["duration"]


def test_the_floor_stops_self_reported_success_raising_savings() -> None:
    t = _pairs(savings=[(10, 14, "amber"), (10, 20, "amber"), (10, 12, "amber")])
    a = reference_class.derive(t, minimum=3, floor=0.0, lower=LOWER)
    assert a.savings_shortfall == 0.0 and "floored" in a.basis["savings_shortfall"]
    assert reference_class.derive(t, minimum=3, floor=0.05, lower=LOWER).savings_shortfall == 0.05


def test_leaving_a_case_out_changes_what_it_sets() -> None:
    t = _pairs(savings=[(10, 2, "amber"), (10, 9, "amber"), (10, 10, "amber")])
    t.loc[0, "case"] = "sw1"
    all_in = reference_class.derive(t, minimum=2, floor=0.0, lower=LOWER)
    out = reference_class.derive(t, exclude=("sw1",), minimum=2, floor=0.0, lower=LOWER)
    assert all_in.savings_shortfall == pytest.approx(0.1) and out.savings_shortfall == pytest.approx(0.05)
    assert out.excluded == ("sw1",) and out.cases["savings"] == 2


def test_shipped_default_and_the_green_book_bounds() -> None:
    ref = cited.adjustment()
    minimum = assumptions.value("reference_class.minimum_cases")
    t = cited.reference_pairs()
    for q, comp in (("one_off_cost", "one_off_cost"), ("schedule", "duration")):
        if (t["quantity"] == q).sum() < minimum:
            assert getattr(ref, comp) == getattr(cited.adjustment("green_book_lower"), comp)
            assert ref.quality[comp] == "red"
    upper = cited.adjustment("green_book_upper")
    table = assumptions.value("optimism_bias.table")
    cat = assumptions.value("optimism_bias.shared_services_category")
    assert upper.one_off_cost == table[cat]["capex_upper"] and upper.duration == table[cat]["works_duration_upper"]
    with pytest.raises(InputError, match="optimism_adjustment"):
        cited.adjustment("optimistic")


def test_bad_adjustments_are_refused() -> None:
    with pytest.raises(InputError, match="savings_shortfall"):
        reference_class.Adjustment("x", savings_shortfall=1.0)
    with pytest.raises(InputError, match="one_off_cost"):
        reference_class.Adjustment("x", one_off_cost=-0.1)


def _council() -> scenario.CouncilInputs:
    spend = {s: 0.0 for s in programmes.SERVICES}
    spend.update(central=10_000.0, cultural=10_000.0)
    return scenario.CouncilInputs("E9996", "Synthetic", spend, 20_000.0, base_funding=20_000.0,
                                  actual_funding=np.array([20_000.0]), usable_reserves=5_000.0)


def test_the_scenario_applies_every_component() -> None:
    prog = Programme("p", (ServiceShare("central", 1.0, 0.2, 0.5, 1.0, 0.0, 0.1),), failure_probability=0.0)
    adj = reference_class.Adjustment("test", one_off_cost=0.5, duration=0.0, delay_years=1.0, running_cost=0.2,
                                     savings_shortfall=0.25)
    base = scenario.run_scenario(_council(), prog, optimism_bias=False).timing
    r = scenario.run_scenario(_council(), prog, optimism_adjustment=adj)
    t = r.timing
    assert t["one_off_costs"].sum() == pytest.approx(1.5 * base["one_off_costs"].sum())
    # savings start a year later, at three quarters of the rate; running costs +20 %
    assert t["gross_savings"].iloc[2] == 0 and base["gross_savings"].iloc[2] > 0
    assert t["gross_savings"].iloc[5] == pytest.approx(0.75 * base["gross_savings"].iloc[5])
    assert t["running_costs"].iloc[5] == pytest.approx(1.2 * base["running_costs"].iloc[5])
    assert r.settings["optimism_bias_uplifts"]["savings_shortfall"] == 0.25
    # optimism_bias=False switches any adjustment off
    off = scenario.run_scenario(_council(), prog, optimism_bias=False, optimism_adjustment=adj).timing
    np.testing.assert_allclose(off["gross_savings"], base["gross_savings"])
