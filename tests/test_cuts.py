"""Funding paths, the funding gap and the front-loading index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sharedservices.errors import DataError, InputError
from sharedservices.inputs import assumptions
from sharedservices.model import cited, cuts


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=0.01, max_value=1.0),
    st.integers(min_value=2, max_value=10),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=0, max_value=10),
)
def test_front_loading_index_of_parametric_path_is_phi(c, n, phi, extra) -> None:
    path = cuts.parametric_path(c, n, phi, horizon=n + extra, base_funding=1234.5)
    gaps = cuts.funding_gap(path)[1 : n + 1]
    assert cuts.front_loading_index(gaps) == pytest.approx(phi, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=-1.0, max_value=1.0), st.integers(1, 8), st.floats(0.0, 1.0))
def test_parametric_path_total_cut_and_flat_after_n(c, n, phi) -> None:
    path = cuts.parametric_path(c, n, phi, horizon=n + 3, base_funding=100.0)
    assert path[0] == 100.0
    assert path[n] == pytest.approx(100.0 * (1 - c))
    assert np.all(path[n:] == path[n])


def test_even_and_fully_front_loaded_paths() -> None:
    even = cuts.parametric_path(0.2, 4, 0.0, horizon=6)
    np.testing.assert_allclose(np.diff(even)[:4], -0.05)
    np.testing.assert_allclose(cuts.even_path(cuts.parametric_path(0.2, 4, 1.0, 6), 4), even)
    assert cuts.front_loading_index(cuts.funding_gap(even)[1:5]) == pytest.approx(0.0, abs=1e-12)
    front = cuts.parametric_path(0.2, 4, 1.0, horizon=6)
    assert cuts.front_loading_index(cuts.funding_gap(front)[1:5]) == pytest.approx(1.0)


def test_front_loading_index_no_net_cut_and_overshoot() -> None:
    assert cuts.front_loading_index([10, 5, 0]) is None  # g_N = 0
    assert cuts.front_loading_index([-5, -10]) is None  # funding rose
    assert cuts.front_loading_index([30, 20, 10]) > 1  # overshoot then partial recovery
    assert cuts.front_loading_index([1, 1, 10]) < 0  # back-loaded
    with pytest.raises(InputError):
        cuts.front_loading_index([])


def test_even_path_default_n_is_last_change() -> None:
    p = np.array([100.0, 90, 70, 70, 70])
    assert cuts.path_cut_years(p) == 2
    np.testing.assert_allclose(cuts.even_path(p), [100, 85, 70, 70, 70])


def test_funding_gap_adds_accumulated_pressure() -> None:
    pressure = cuts.demand_pressure([1000.0, 500.0], [0.03, 0.02], 3)
    assert pressure[0] == 0
    assert pressure[2] == pytest.approx(1000 * (1.03**2 - 1) + 500 * (1.02**2 - 1))
    gap = cuts.funding_gap([100.0, 90, 80, 80], pressure)
    np.testing.assert_allclose(gap, [0, 10, 20, 20] + pressure)


def test_sr2010_national_path_is_front_loaded_and_about_a_quarter() -> None:
    ratio = cuts.sr2010_path(1.0, 6, cash_profile=assumptions.value("sr2010.formula_grant_cash_gbp_bn"),
                             deflator=cited.deflator())
    gaps = 1 - ratio[1:5]
    # real-terms cut to 2014-15: formula grant 28.0 -> 21.9 cash, deflated
    index_2014_15 = float(assumptions.value("prices.gdp_deflator")["2014-15"])
    assert 1 - ratio[4] == pytest.approx(1 - (21.9 / 28.0) / (index_2014_15 / 100.0), rel=1e-9)
    assert 0.2 < 1 - ratio[4] < 0.3
    fli = cuts.front_loading_index(gaps)
    assert fli is not None and 0.1 < fli < 0.6  # largest cut in year 1
    assert ratio[5] == ratio[6] == ratio[4]


def test_deflate_and_year_labels() -> None:
    assert cuts.fy_label(0) == "2010-11" and cuts.year_index("2017-18") == 7
    with pytest.raises(InputError):
        cuts.year_index("2010-12")
    with pytest.raises(DataError):
        cuts.deflate([1.0], ["2030-31"], {"2010-11": 100})


def _funding_fixture() -> pd.DataFrame:
    rows = {"2010-11": (100.0, 20.0, 5.0, None), "2011-12": (85.0, 0.0, 10.0, None),
            "2012-13": (80.0, 0.0, 10.0, None), "2013-14": (90.0, 0.0, 20.0, None),
            "2014-15": (85.0, 0.0, 20.0, None), "2017-18": (None, None, None, "not_collected")}
    out = [{"ecode": "E1", "year": y, "gbp_thousand": v, "area_based_grant": abg,
            "estimated_gbp_thousand": est, "flags": fl} for y, (v, abg, est, fl) in rows.items()]
    out.append({"ecode": "E2", "year": "2010-11", "gbp_thousand": 5.0, "area_based_grant": 0.0,
                "estimated_gbp_thousand": 0.0, "flags": None})
    return pd.DataFrame(out)


def test_central_funding_reads_the_like_for_like_table() -> None:
    dfl = {"2010-11": 100, "2011-12": 100, "2012-13": 100, "2013-14": 100, "2014-15": 125, "2017-18": 130}
    cf = cuts.central_funding(_funding_fixture(), "E1", dfl)
    # a year with no return is left out, not read as zero
    assert cf.years == ("2010-11", "2011-12", "2012-13", "2013-14", "2014-15")
    np.testing.assert_allclose(cf.cash_gbp_thousand, [100, 85, 80, 90, 85])
    np.testing.assert_allclose(cf.real_gbp_thousand, [100, 85, 80, 90, 68])
    np.testing.assert_allclose(cf.estimated_share, [0.05, 10 / 85, 0.125, 20 / 90, 20 / 85])
    assert cf.rollin_abg_gbp_thousand == 20
    assert cf.retention_step_gbp_thousand == pytest.approx(10)
    assert cf.flags == ()
    with pytest.raises(DataError):
        cuts.central_funding(_funding_fixture(), "E3", dfl)


def test_bad_path_parameters_raise() -> None:
    for args in [(1.5, 4, 0.5), (0.2, 0, 0.5), (0.2, 4, -0.1), (0.2, 4, 1.1)]:
        with pytest.raises(InputError):
            cuts.parametric_path(*args, horizon=5)
    with pytest.raises(InputError):
        cuts.parametric_path(0.2, 4, 0.5, horizon=0)
