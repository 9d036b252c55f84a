"""Issue 12, point 5: no overlapping pairs, near and far by distance, the test of distance,
intervals that include a loss.  Expected values are worked by hand on small synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import data
from sharedservices.model import partners

YEAR = "2011-12"


def world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A county with three districts on a line (0, 20, 40 km), a district of another county
    at 120 km, a unitary at 30 km; central services only."""
    c = pd.DataFrame({
        "ecode": ["E1", "E2", "E3", "E4", "E5", "E6", "E7"],
        "ons_code": [f"E0700000{i}" for i in range(1, 8)],
        "name": ["Shire CC", "Ash", "Birch", "Cedar", "Damson", "Other CC", "Town UA"],
        "class": ["SC", "SD", "SD", "SD", "SD", "SC", "UA"],
        "region": "East",
        "county": [None, "Shire CC", "Shire CC", "Shire CC", "Other CC", None, None],
        "population_2011": [3e5, 1e5, 1e5, 1e5, 1e5, 1e5, 2e5],
        "population_source": "census", "principal": True,
    })
    spend = [300.0, 100.0, 100.0, 100.0, 100.0, 100.0, 200.0]
    s = pd.DataFrame({"ecode": c["ecode"], "year": YEAR, "service": "central", "gbp_thousand": spend})
    g = pd.DataFrame({"ecode": c["ecode"], "easting_m": [20e3, 0.0, 20e3, 40e3, 120e3, 130e3, 30e3],
                      "northing_m": 0.0})
    est = pd.DataFrame({"service": ["central"] * 3, "year": YEAR, "classes": "SC,SD,UA,MD,L",
                        "class": ["SC", "SD", "UA"], "elasticity": [-0.1, -0.2, 0.0],
                        "ci_low": [-0.3, -0.4, -0.1], "ci_high": [0.1, 0.05, 0.1]})
    return c, s, g, est


def test_a_district_is_never_paired_with_its_own_county() -> None:
    c, s, g, est = world()
    out = partners.candidate_partners("E2", c, s, est, geography=g, near_km=50, n_near=10, n_far=10)
    assert "Shire CC" not in set(out["name"])
    assert partners.overlap_partners("E2", c)["name"].tolist() == ["Shire CC"]
    assert sorted(partners.overlap_partners("E1", c)["name"]) == ["Ash", "Birch", "Cedar"]
    assert partners.overlap_partners("E7", c).empty


def test_combination_saving_refuses_an_overlapping_pair() -> None:
    c, s, g, est = world()
    with pytest.raises(InputError, match=r"E2 \(Ash\) and E1 \(Shire CC\) serve the same residents"):
        partners.combination_saving(["E2", "E1"], c, s, est, deflator={"2010-11": 100.0, YEAR: 100.0})


def test_near_and_far_follow_the_distance_between_centres() -> None:
    c, s, g, est = world()
    out = partners.candidate_partners("E2", c, s, est, geography=g, near_km=35, n_near=10, n_far=10)
    kinds = dict(zip(out["name"], out["kind"], strict=True))
    km = dict(zip(out["name"], out["distance_km"], strict=True))
    assert km["Birch"] == pytest.approx(20.0) and km["Town UA"] == pytest.approx(30.0)
    assert kinds["Birch"] == "near" and kinds["Town UA"] == "near"   # within 35 km
    assert kinds["Cedar"] == "far" and kinds["Damson"] == "far"      # 40 and 120 km, districts
    assert "Other CC" not in kinds                                    # beyond 35 km and not a district
    assert set(out["near_basis"]) == {"centre distance"}


def test_without_geography_near_falls_back_to_region_and_county() -> None:
    c, s, g, est = world()
    out = partners.candidate_partners("E2", c, s, est, n_near=10, n_far=10)
    assert set(out["near_basis"]) == {"region and county"}
    assert out["distance_km"].isna().all()


def test_saving_uses_each_councils_class_slope_and_flags_a_loss() -> None:
    c, s, g, est = world()
    deflator = {"2010-11": 100.0, YEAR: 100.0}
    combo = partners.combination_saving(["E2", "E7"], c, s, est, deflator=deflator).iloc[-1]
    # Ash (SD, b=-0.2, 1e5) and Town UA (UA, b=0, 2e5): P = 3e5
    assert combo["saving_gbp_thousand"] == pytest.approx(100 * (1 - 3 ** -0.2))
    low = 100 * (1 - 3 ** 0.05) + 200 * (1 - 1.5 ** 0.1)   # both at the high ends of their intervals
    assert combo["saving_low_gbp_thousand"] == pytest.approx(low)
    out = partners.candidate_partners("E2", c, s, est, geography=g, near_km=50, n_near=10, n_far=10,
                                      deflator=deflator)
    row = out.set_index("name").loc["Town UA"]
    assert bool(row["interval_includes_loss"]) is (low < 0) is True


def test_bad_near_distance_is_an_input_error() -> None:
    c, s, g, est = world()
    with pytest.raises(InputError, match="near_km: -5 is not allowed"):
        partners.candidate_partners("E2", c, s, est, geography=g, near_km=-5)


def test_mantel_finds_a_planted_relation_and_not_an_absent_one() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (30, 2))
    km = np.hypot(x[:, None, 0] - x[None, :, 0], x[:, None, 1] - x[None, :, 1])
    related = km + rng.normal(0, 5, km.shape)
    related = (related + related.T) / 2
    noise = rng.uniform(0, 1, (30, 30))
    noise = (noise + noise.T) / 2
    r, p = partners.mantel(km, related, permutations=199)
    assert r > 0.9 and p <= 0.01
    r0, p0 = partners.mantel(km, noise, permutations=199)
    assert abs(r0) < 0.2 and p0 > 0.05


def test_match_by_distance_measures_are_hand_checkable() -> None:
    c = pd.DataFrame({"ecode": list("ABC"), "ons_code": list("abc"), "class": "SD",
                      "population_2011": [1000.0, 1000.0, 2000.0], "principal": True})
    s = pd.DataFrame({"ecode": list("AABBCC"), "year": YEAR, "service": ["central", "housing"] * 3,
                      "gbp_thousand": [50.0, 50.0, 100.0, 0.0, 100.0, 100.0]})
    g = pd.DataFrame({"ecode": list("ABC"), "easting_m": [0.0, 30e3, 0.0], "northing_m": [0.0, 0.0, 40e3]})
    out = partners.match_by_distance(c, s, g, YEAR, bands_km=[0, 45, 1000], near_km=45, permutations=9)
    pairs = out["pairs"].set_index(["a", "b"])
    # A: mix (0.5, 0.5), £50/£50 per head; B: (1, 0), £100 central, housing 0 (not positive)
    assert pairs.loc[("A", "B"), "mix_distance"] == pytest.approx(0.5)
    assert pairs.loc[("A", "B"), "cost_distance"] == pytest.approx(np.log(2))   # central only
    assert pairs.loc[("B", "C"), "km"] == pytest.approx(50.0)
    # C: £50/£50 per head, same as A
    assert pairs.loc[("A", "C"), "cost_distance"] == pytest.approx(0.0)


def test_real_data_overlap_pairs_and_distance_coverage() -> None:
    c, g = data.councils(), data.geography()
    principal = c[c["principal"] & (c["population_2011"] > 0)]
    out = partners.overlap_partners("E2532", c)   # East Lindsey
    assert out["name"].tolist() == ["Lincolnshire CC"]
    # every district with a population sits in a county with a population, so each gives one removed pair
    districts = principal[principal["class"] == "SD"]
    counties = set(principal.loc[principal["class"] == "SC", "name"])
    assert districts["county"].isin(counties).all()
    placed = set(g.dropna(subset=["easting_m"])["ecode"])
    assert set(principal["ecode"]) <= placed
