"""Appraisal arithmetic: Green Book discounting, NPV, IRR, payback, annuity, optimism bias."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sharedservices.errors import InputError
from sharedservices.inputs import assumptions
from sharedservices.model import cited, finance

GB = [
    {"from_year": 0, "to_year": 30, "rate": 0.035},
    {"from_year": 31, "to_year": 75, "rate": 0.03},
    {"from_year": 76, "to_year": 125, "rate": 0.025},
    {"from_year": 126, "to_year": None, "rate": 0.02},
]

# money in £ thousand to the pound: realistic magnitudes, no subnormal floats
money = st.integers(min_value=-10**9, max_value=10**9).map(lambda x: x / 1000)
flows = st.lists(money, min_size=1, max_size=20)
rates = st.floats(min_value=-0.5, max_value=0.5, allow_nan=False)


def test_green_book_factors_either_side_of_30_and_75() -> None:
    df = finance.discount_factors(np.arange(0, 80), GB)
    assert df[30] == pytest.approx(1.035**-30)
    assert df[31] / df[30] == pytest.approx(1 / 1.03)  # year 31 at 3.0 %
    assert df[30] / df[29] == pytest.approx(1 / 1.035)  # year 30 still 3.5 %
    assert df[75] / df[74] == pytest.approx(1 / 1.03)
    assert df[76] / df[75] == pytest.approx(1 / 1.025)  # year 76 at 2.5 %
    assert df[76] == pytest.approx(1.035**-30 * 1.03**-45 / 1.025)


def test_green_book_schedule_from_assumptions_matches_published_bands() -> None:
    df = finance.discount_factors([1, 10, 30, 31, 76], cited.green_book_schedule())
    # evidence.md 4a: year 1 = 0.966184, year 10 = 0.708919, year 30 = 0.356278
    assert df[:3] == pytest.approx([0.966184, 0.708919, 0.356278], abs=1e-6)
    assert df[3] == pytest.approx(0.356278 / 1.03, abs=1e-6)
    assert finance.rate_in_force([76], cited.green_book_schedule())[0] == pytest.approx(0.025)


def test_discount_factors_reject_bad_years() -> None:
    with pytest.raises(InputError):
        finance.discount_factors([-1, 2], 0.035)
    with pytest.raises(InputError):
        finance.discount_factors([0.5], 0.035)
    with pytest.raises(InputError):
        finance.npv([1, 2], "blue_book")


@settings(max_examples=60, deadline=None)
@given(flows, rates)
def test_npv_agrees_with_numpy_financial(cf, r) -> None:
    assert finance.npv(cf, r) == pytest.approx(npf.npv(r, cf), rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(money, min_size=2, max_size=12), st.lists(money, min_size=2, max_size=12), money, rates)
def test_npv_is_linear(a, b, k, r) -> None:
    n = min(len(a), len(b))
    a, b = np.array(a[:n]), np.array(b[:n])
    lhs = finance.npv(a + k * b, r)
    rhs = finance.npv(a, r) + k * finance.npv(b, r)
    assert lhs == pytest.approx(rhs, rel=1e-7, abs=1e-3 * (1 + abs(k)))


@settings(max_examples=60, deadline=None)
@given(flows)
def test_zero_rate_npv_is_plain_sum(cf) -> None:
    assert finance.npv(cf, 0.0) == pytest.approx(sum(cf), rel=1e-12, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**8).map(lambda x: x / 1000),
    st.lists(st.integers(min_value=0, max_value=10**8).map(lambda x: x / 1000), min_size=1, max_size=15).filter(
        lambda x: sum(x) > 0
    ),
)
def test_irr_agrees_with_numpy_financial_on_conventional_flows(cost, inflows) -> None:
    cf = [-cost, *inflows]
    ours = finance.irr(cf)
    theirs = npf.irr(cf)
    if np.isnan(theirs):
        assert ours is None
    else:
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-9)
        assert finance.npv(cf, ours) == pytest.approx(0.0, abs=1e-6 * max(cost, sum(inflows)))


@settings(max_examples=60, deadline=None)
@given(st.lists(money, min_size=2, max_size=10))
def test_irr_matches_numpy_financial_on_any_flows(cf) -> None:
    theirs = npf.irr(cf)
    ours = finance.irr(cf)
    if ours is None:
        assert np.isnan(theirs) or not (np.any(np.array(cf) > 0) and np.any(np.array(cf) < 0))
    elif not np.isnan(theirs):
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-9)


def test_irr_none_when_no_rate_exists() -> None:
    assert finance.irr([-100, -10, -5]) is None
    assert finance.irr([0, 0, 0]) is None
    assert finance.irr([100, 10]) is None


def test_payback_year_first_crossing() -> None:
    assert finance.payback_year([-100, 50, 50, -200, 300]) == 2  # first crossing, not last
    assert finance.payback_year([0, 0, -10, 10]) == 3
    assert finance.payback_year([0, 0, 0]) is None
    assert finance.payback_year([5, -1]) == 0
    assert finance.payback_years(np.array([[-1, 2], [-1, 0.5]])).tolist() == [1, -1]


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0, max_value=1e6), st.integers(-500, 2000).map(lambda x: x / 10_000), st.integers(1, 40))
def test_annuity_repays_principal(principal, rate, years) -> None:
    a = finance.annuity_payment(principal, rate, years)
    assert a >= 0
    pv = finance.npv([0.0] + [a] * years, rate)
    assert pv == pytest.approx(principal, rel=1e-9, abs=1e-6)
    if rate != 0:
        assert a == pytest.approx(-npf.pmt(rate, years, principal), rel=1e-9, abs=1e-9)


def test_annuity_rejects_bad_terms() -> None:
    with pytest.raises(InputError):
        finance.annuity_payment(100, 0.05, 0)
    with pytest.raises(InputError):
        finance.annuity_payment(-1, 0.05, 5)


def test_optimism_bias_from_the_cited_table() -> None:
    table = assumptions.value("optimism_bias.table")
    cat = assumptions.value("optimism_bias.shared_services_category")
    cap = finance.optimism_bias_uplift(cat, "capex", "upper", table)
    dur = finance.optimism_bias_uplift(cat, "works_duration", "upper", table)
    assert cap == pytest.approx(2.0) and dur == pytest.approx(0.54)  # equipment/development
    assert finance.optimism_bias_uplift("outsourcing", "opex", "upper", table) == pytest.approx(0.41)
    assert finance.optimism_bias_uplift("outsourcing", "capex", "upper", table) == 0.0  # no figure given
    assert finance.optimism_bias_uplift(cat, "capex", "lower", table) < cap
    with pytest.raises(InputError):
        finance.optimism_bias_uplift("spaceships", "capex", "upper", table)
