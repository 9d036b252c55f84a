"""Financing options: flows, affordability, the partner's terms and the cost of money."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import assumptions
from sharedservices.model import cited, finance, financing

COST = np.array([0.0, 1000.0, 0, 0, 0, 0, 0, 0])
GROSS = np.array([0.0, 0, 300, 400, 400, 400, 400, 400])


def make_terms(**over) -> financing.FinancingTerms:
    kw = dict(pwlb_rate_nominal=0.05, inflation=0.0, asset_life_years=5, capitalised_life_years=10,
              partner_hurdle_nominal=0.12, partner_term_years=5, grant_share=0.3)
    kw.update(over)
    return financing.FinancingTerms(**kw)


@pytest.fixture
def terms() -> financing.FinancingTerms:
    return make_terms()


def test_terms_from_assumptions_are_the_cited_values() -> None:
    t = cited.financing_terms()
    v = assumptions.value
    assert t.pwlb_rate_nominal == v("financing.pwlb_rate_nominal")
    assert t.partner_hurdle_nominal == v("financing.partner_hurdle_rate_nominal")
    assert t.partner_term_years == v("financing.partner_contract_years")
    assert t.asset_life_years == v("financing.asset_life_years")
    assert t.reserves_minimum_share == v("financing.reserves_minimum_share")
    assert not t.capitalisation_direction  # a scenario's capitalisation_direction sets it (scenario.resolve)
    assert 0 < t.real_borrowing_rate < t.pwlb_rate_nominal
    # 2016-17 is year 6 (year 0 = 2010-11)
    assert t.flexible_receipts_from_year == 6


def test_reserves_meet_the_cost_and_are_the_councils_own_money(terms) -> None:
    ff = financing.financing_flows("reserves", COST, GROSS, 1, terms)
    np.testing.assert_array_equal(ff.financing, COST)
    np.testing.assert_array_equal(ff.reserves_draw, COST)
    # the budget effect (revenue effect less the draw) is the programme's own cash flow
    cash = GROSS - COST
    np.testing.assert_array_equal(cash + ff.financing - ff.reserves_draw, cash)


def test_reserves_stop_at_what_is_available_and_revenue_bears_the_rest(terms) -> None:
    cost = np.array([0.0, 600.0, 600.0, 0])
    ff = financing.financing_flows("reserves", cost, np.zeros(4), 1, terms, reserves_available=800.0)
    np.testing.assert_array_equal(ff.reserves_draw, [0, 600, 200, 0])
    np.testing.assert_array_equal(ff.revenue_one_off, [0, 0, 400, 0])
    # nothing available (reserves already at the prudent minimum): all on revenue
    ff = financing.financing_flows("reserves", cost, np.zeros(4), 1, terms, reserves_available=-50.0)
    assert ff.reserves_draw.sum() == 0 and ff.revenue_one_off.sum() == 1200


def test_financing_cost_of_a_hand_worked_loan() -> None:
    # £1,000 of capital borrowed in year 1 at 5% cash, MRP over 5 years from year 2:
    # principal 200 a year; interest 5% of 1000, 800, 600, 400, 200 = 50+40+30+20+10 = 150.
    t = make_terms(inflation=0.0)
    ff = financing.financing_flows("borrowing", COST, GROSS, 1, t, capital_share=1.0)
    np.testing.assert_allclose(ff.debt_service, [0, 0, 250, 240, 230, 220, 210, 0])
    np.testing.assert_array_equal(ff.borrowed, COST)
    assert financing.financing_cost(ff, COST) == pytest.approx(150.0)
    # with 2% inflation the same cash payments are worth less in real terms
    t2 = make_terms(inflation=0.02)
    ff2 = financing.financing_flows("borrowing", COST, GROSS, 1, t2, capital_share=1.0)
    cash = np.array([250, 240, 230, 220, 210.0])
    real = cash / 1.02 ** np.arange(1, 6)
    assert financing.financing_cost(ff2, COST) == pytest.approx(real.sum() - 1000.0)
    assert financing.financing_cost(ff2, COST) < 150.0


def test_borrowing_pays_the_capital_share_only_without_a_direction() -> None:
    t = make_terms()
    ff = financing.financing_flows("borrowing", COST, GROSS, 1, t, capital_share=0.8)
    assert ff.borrowed.sum() == pytest.approx(800.0)
    assert ff.reserves_draw.sum() == pytest.approx(200.0)
    # a capitalisation direction lets the revenue part be borrowed too, over the longer life
    d = financing.financing_flows("borrowing", COST, GROSS, 1, make_terms(capitalisation_direction=True),
                                  capital_share=0.8)
    assert d.borrowed.sum() == pytest.approx(1000.0) and d.reserves_draw.sum() == 0
    # flexible use of capital receipts (from 2016-17, year 6): the revenue part from new
    # capital receipts, own money and never borrowing, and only from then
    late_cost = np.r_[np.zeros(6), 1000.0, 0.0]
    late = financing.financing_flows("borrowing", late_cost, GROSS, 6, t, capital_share=0.8)
    assert late.borrowed.sum() == pytest.approx(800.0) and late.capital_receipts.sum() == pytest.approx(200.0)
    assert late.reserves_draw.sum() == 0 and late.own_money.sum() == pytest.approx(200.0)
    early = financing.financing_flows("borrowing", late_cost, GROSS, 5, t, capital_share=0.8)
    assert early.borrowed.sum() == pytest.approx(800.0) and early.capital_receipts.sum() == 0
    assert early.reserves_draw.sum() == pytest.approx(200.0)


def test_borrowing_at_the_discount_rate_adds_nothing() -> None:
    # real PWLB rate equal to a flat discount rate: the loan's present value is zero
    t = make_terms(pwlb_rate_nominal=0.035, inflation=0.0)
    ff = financing.financing_flows("borrowing", COST, GROSS, 1, t, capital_share=1.0)
    assert finance.npv(ff.financing - ff.reserves_draw, 0.035) == pytest.approx(0.0, abs=1e-9)


def test_a_partner_signs_only_for_its_hurdle() -> None:
    t = make_terms(partner_hurdle_nominal=0.12, inflation=0.02, partner_term_years=5)
    p = financing.partner_terms(COST, GROSS, 1, t)
    assert p.feasible and 0 < p.share < 1
    assert p.irr_nominal == pytest.approx(0.12, abs=1e-6)
    assert p.npv_at_hurdle == pytest.approx(0.0, abs=1e-6)
    ff = financing.financing_flows("gain_share", COST, GROSS, 1, t)
    in_term = (np.arange(8) >= 1) & (np.arange(8) < 6)
    np.testing.assert_allclose(ff.partner_share_paid, p.share * GROSS * in_term)
    np.testing.assert_allclose(ff.financing, COST - p.share * GROSS * in_term)
    assert ff.fallback is None and ff.reserves_draw.sum() == 0
    # a higher hurdle asks for a larger share
    assert financing.partner_terms(COST, GROSS, 1, make_terms(partner_hurdle_nominal=0.2)).share > p.share


def test_no_partner_would_finance_savings_below_its_hurdle() -> None:
    t = make_terms(partner_term_years=2)
    small = np.array([0.0, 0, 100, 100, 100, 100, 100, 100])
    p = financing.partner_terms(COST, small, 1, t)
    assert not p.feasible and p.share > 1
    ff = financing.financing_flows("gain_share", COST, small, 1, t)
    assert ff.fallback == "reserves" and ff.partner == p
    # what it is told: its best return (all the savings in its term) is below its hurdle
    assert p.irr_nominal < t.partner_hurdle_nominal and p.npv_at_hurdle < 0
    np.testing.assert_array_equal(ff.financing, financing.financing_flows("reserves", COST, small, 1, t).financing)
    # no savings at all: no share would do, and there is no IRR
    none = financing.partner_terms(COST, np.zeros(8), 1, t)
    assert not none.feasible and none.irr_nominal is None


def test_grant_meets_a_share_and_reserves_the_rest(terms) -> None:
    ff = financing.financing_flows("grant", COST, GROSS, 1, terms)
    np.testing.assert_allclose(ff.grant, terms.grant_share * COST)
    np.testing.assert_allclose(ff.reserves_draw, (1 - terms.grant_share) * COST)
    assert financing.financing_cost(ff, COST) == pytest.approx(-terms.grant_share * 1000.0)


def test_revenue_bears_the_cost_when_it_falls(terms) -> None:
    ff = financing.financing_flows("revenue", COST, GROSS, 1, terms)
    assert ff.financing.sum() == 0 and ff.reserves_draw.sum() == 0
    np.testing.assert_array_equal(ff.revenue_one_off, COST)
    assert financing.financing_cost(ff, COST) == 0


def test_flows_broadcast_over_draws(terms) -> None:
    costs = np.vstack([COST, 2 * COST])
    gross = np.vstack([GROSS, GROSS])
    partner = financing.partner_terms(COST, GROSS, 1, terms)
    for opt in financing.FINANCING_OPTIONS:
        many = financing.financing_flows(opt, costs, gross, 1, terms, capital_share=0.5, partner=partner,
                                         reserves_available=np.array([5000.0, 5000.0]))
        one = financing.financing_flows(opt, COST, GROSS, 1, terms, capital_share=0.5, partner=partner,
                                        reserves_available=5000.0)
        np.testing.assert_allclose(many.financing[0], one.financing)
    with pytest.raises(InputError, match="partner"):
        financing.financing_flows("gain_share", costs, gross, 1, terms)


def test_unknown_option_and_bad_terms() -> None:
    with pytest.raises(InputError, match="lottery"):
        financing.financing_flows("lottery", COST, GROSS, 1, cited.financing_terms())
    with pytest.raises(InputError, match="capital share"):
        financing.financing_flows("borrowing", COST, GROSS, 1, make_terms(), capital_share=1.5)
    with pytest.raises(InputError, match="asset_life_years"):
        make_terms(asset_life_years=0)
    with pytest.raises(InputError, match="grant_share"):
        make_terms(grant_share=1.4)
    with pytest.raises(InputError, match="partner_hurdle_nominal"):
        make_terms(partner_hurdle_nominal=float("nan"))


def test_usable_reserves_and_exhaustion() -> None:
    f = pd.DataFrame({
        "ecode": ["E1"] * 4, "year": ["2010-11"] * 3 + ["2011-12"],
        "item": ["reserves_earmarked", "reserves_unallocated", "reserves_schools", "reserves_earmarked"],
        "gbp_thousand": [300.0, 200.0, 1000.0, 1.0],
    })
    assert financing.usable_reserves(f, "E1") == 500.0
    assert financing.reserves_exhausted_year(500.0, [0, 200, 200, 200]) == 3
    assert financing.reserves_exhausted_year(500.0, [0, 200, 300]) is None  # exactly used up
    assert financing.reserves_exhausted_year(500.0, np.array([[0, 600.0], [0, 1.0]])).tolist() == [1, -1]


def test_compare_financing_keeps_appraisal_apart_from_affordability(terms) -> None:
    run = np.full_like(GROSS, 20.0) * (GROSS > 0)
    order = ("revenue", "grant", "reserves", "borrowing", "gain_share")
    tab = financing.compare_financing(COST, GROSS, run, 1, terms, capital_share=1.0, reserves_available=800.0,
                                      rate=0.035, options=order)
    assert tuple(tab["option"]) == order  # as asked, never sorted by a number
    t = tab.set_index("option")
    own_npv = finance.npv(GROSS - run - COST, 0.035)
    # own money is not free: reserves and revenue leave the budget exactly the programme's NPV
    assert t.loc["reserves", "budget_effect_pv_gbp_thousand"] == pytest.approx(own_npv)
    assert t.loc["revenue", "budget_effect_pv_gbp_thousand"] == pytest.approx(own_npv)
    # reserves of 800 meet 800; the revenue budget bears the other 200 in year 1
    assert t.loc["reserves", "revenue_effect_year1_gbp_thousand"] == pytest.approx(-200.0)
    assert t.loc["revenue", "revenue_effect_year1_gbp_thousand"] == pytest.approx(-1000.0)
    assert t.loc["grant", "budget_effect_pv_gbp_thousand"] > own_npv  # outside money
    assert t.loc["borrowing", "financing_cost_gbp_thousand"] == pytest.approx(150.0)
    assert bool(t.loc["gain_share", "available"])
    assert t.loc["gain_share", "financing_cost_gbp_thousand"] > 0
