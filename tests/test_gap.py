"""The timing table, the cut allocation and the headline gap arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sharedservices.errors import InputError
from sharedservices.model import gap

SPEND = {"education": 500.0, "central": 60.0, "cultural": 40.0, "housing": 100.0, "adult_social_care": 300.0}


def result(gap_=(0.0, 100, 150), gross=(0.0, 0, 40), one_off=(0.0, 30, 0), financing=(0.0, 30, 0)) -> gap.GapResult:
    z = np.zeros(len(gap_))
    f = np.array(gap_, dtype=float)
    return gap.GapResult(1000 - f, f, np.array(gross, float), z, np.array(one_off, float), np.array(financing, float), z)


def test_core_spending_excludes_education_police_fire_and_later_public_health() -> None:
    assert gap.core_spending(SPEND) == 500.0
    spend = dict(SPEND, public_health=50.0, police=10.0)
    assert gap.core_spending(spend, 2) == 550.0 and gap.core_spending(spend, 3) == 500.0


def test_timing_table_columns_and_identities() -> None:
    t = gap.timing_table(result(), SPEND, shared=["central"])
    np.testing.assert_allclose(t["net_savings"], [0, 0, 40])  # one-off met by financing
    np.testing.assert_allclose(t["programme_cash_flow"], [0, -30, 40])
    np.testing.assert_allclose(t["residual_gap"], t["funding_gap"] - t["net_savings"])
    assert np.isnan(t["coverage"].iloc[0]) and t["coverage"].iloc[2] == pytest.approx(40 / 150)
    cut_cols = [c for c in t.columns if c.startswith("cut_")]
    assert sorted(cut_cols) == ["cut_adult_social_care", "cut_cultural", "cut_housing"]
    np.testing.assert_allclose(t[cut_cols].sum(axis=1), t["frontline_cuts"])
    # in proportion to spend: housing 100 of 440
    assert t["cut_housing"].iloc[1] == pytest.approx(100 * 100 / 440)


def test_protected_services_take_no_cuts_and_fallback() -> None:
    alloc = gap.allocate_cuts([0, 10], SPEND, shared=["central"], protect=["adult_social_care", "housing"])
    assert list(alloc.columns) == ["cultural"]
    # every unshared core service protected: the shared one takes the cut
    alloc = gap.allocate_cuts([0, 10], SPEND, shared=["central"],
                              protect=["adult_social_care", "housing", "cultural"])
    assert list(alloc.columns) == ["central"]
    with pytest.raises(InputError, match="no service to cut"):
        gap.allocate_cuts([0, 10], SPEND, protect=["adult_social_care", "housing", "cultural", "central"])
    with pytest.raises(InputError, match="protect"):
        gap.allocate_cuts([0, 10], SPEND, protect=["dragons"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5), min_size=2, max_size=12))
def test_cuts_are_positive_part_and_sum(residual) -> None:
    r = np.array([0.0, *residual[1:]])
    cuts = gap.frontline_cuts(r)
    assert np.all(cuts >= 0)
    assert gap.cumulative_cuts(r) == pytest.approx(np.clip(r[1:], 0, None).sum())


def test_coverage_no_gap_is_nan() -> None:
    c = gap.coverage([5.0, 5.0, 5.0], [0.0, -1.0, 10.0])
    assert np.isnan(c[0]) and np.isnan(c[1]) and c[2] == 0.5
