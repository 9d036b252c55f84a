"""Financing options: flows, reserves checks and the side-by-side comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices import finance, financing
from sharedservices.errors import InputError

COST = np.array([0.0, 1000.0, 0, 0, 0, 0, 0, 0])
GROSS = np.array([0.0, 0, 300, 400, 400, 400, 400, 400])


@pytest.fixture
def terms() -> financing.FinancingTerms:
    return financing.FinancingTerms(
        pwlb_rate_nominal=0.05, inflation=0.02, borrowing_term_years=5,
        gain_share_partner_share=0.4, gain_share_term_years=3, grant_share=0.3,
    )


def test_terms_from_assumptions_are_valid() -> None:
    t = financing.terms_from_assumptions()
    assert 0 < t.real_borrowing_rate < t.pwlb_rate_nominal
    assert t.borrowing_term_years >= 1


def test_reserves_meet_the_cost_in_full(terms) -> None:
    ff = financing.financing_flows("reserves", COST, GROSS, 1, terms)
    np.testing.assert_array_equal(ff.financing, COST)
    np.testing.assert_array_equal(ff.reserves_draw, COST)


def test_borrowing_is_an_annuity_at_the_real_rate(terms) -> None:
    ff = financing.financing_flows("borrowing", COST, GROSS, 1, terms)
    a = finance.annuity_payment(1000.0, terms.real_borrowing_rate, 5)
    np.testing.assert_allclose(ff.financing, [0, 1000, -a, -a, -a, -a, -a, 0])
    # repayments discounted at the real borrowing rate from the year of the loan = principal
    repay = -ff.financing[2:]
    assert finance.npv(np.r_[0.0, repay], terms.real_borrowing_rate) == pytest.approx(1000.0)
    assert ff.reserves_draw.sum() == 0


def test_gain_share_partner_pays_and_keeps_a_share(terms) -> None:
    ff = financing.financing_flows("gain_share", COST, GROSS, 1, terms)
    # term of 3 years from the start year 1: years 1, 2, 3
    np.testing.assert_allclose(ff.financing, [0, 1000, -120, -160, 0, 0, 0, 0])


def test_grant_meets_a_share_and_reserves_the_rest(terms) -> None:
    ff = financing.financing_flows("grant", COST, GROSS, 1, terms)
    np.testing.assert_array_equal(ff.financing, COST)
    np.testing.assert_allclose(ff.reserves_draw, 0.7 * COST)


def test_flows_broadcast_over_draws(terms) -> None:
    costs = np.vstack([COST, 2 * COST])
    gross = np.vstack([GROSS, GROSS])
    for opt in financing.FINANCING_OPTIONS:
        many = financing.financing_flows(opt, costs, gross, 1, terms).financing
        one = financing.financing_flows(opt, COST, GROSS, 1, terms).financing
        np.testing.assert_array_equal(many[0], one)


def test_unknown_option_and_bad_terms() -> None:
    with pytest.raises(InputError, match="lottery"):
        financing.financing_flows("lottery", COST, GROSS, 1, financing.terms_from_assumptions())
    with pytest.raises(InputError):
        financing.FinancingTerms(0.05, 0.02, 0, 0.4, 3, 0.3)
    with pytest.raises(InputError):
        financing.FinancingTerms(0.05, 0.02, 5, 1.4, 3, 0.3)


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


def test_compare_financing_side_by_side(terms) -> None:
    run = np.full_like(GROSS, 20.0) * (GROSS > 0)
    tab = financing.compare_financing(COST, GROSS, run, 1, terms, usable=800.0, rate=0.0)
    assert list(tab["option"]) == list(financing.FINANCING_OPTIONS)
    t = tab.set_index("option")
    net = (GROSS - run).sum()
    assert t.loc["reserves", "budget_npv_gbp_thousand"] == pytest.approx(net)
    assert t.loc["revenue", "budget_npv_gbp_thousand"] == pytest.approx(net - 1000)
    assert t.loc["gain_share", "financing_cost_gbp_thousand"] == pytest.approx(280.0)
    assert t.loc["borrowing", "financing_cost_gbp_thousand"] > 0
    assert not t.loc["reserves", "reserves_sufficient"] and t.loc["grant", "reserves_sufficient"]
