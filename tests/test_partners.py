"""Tests for sharedservices.model.partners: near and far candidates, ranking, implied savings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import paths
from sharedservices.model import partners, scale

YEAR = "2011-12"
NO_INFLATION = {"2010-11": 100.0, YEAR: 100.0}  # so pairings can be compared with cash arithmetic
SERVICES = ("central", "environmental_regulatory", "adult_social_care", "education", "total_service_expenditure")


def synthetic(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three regions; shire districts in two counties per shire region, a county council
    for each, unitaries and metropolitan districts; a police body; a merged district
    without a population; the City of London."""
    rng = np.random.default_rng(seed)
    rows = []
    for region, counties in (("East", ("Northshire", "Southshire")), ("West", ("Westshire",)), ("North", ())):
        for county in counties:
            rows.append(dict(cls="SC", region=region, county=None, name=f"{county} County Council"))
            rows += [dict(cls="SD", region=region, county=county, name=f"{county} district {i}") for i in range(4)]
        rows += [dict(cls="UA", region=region, county=None, name=f"{region} unitary {i}") for i in range(3)]
        rows += [dict(cls="MD", region=region, county=None, name=f"{region} metropolitan {i}") for i in range(2)]
    rows.append(dict(cls="O", region="East", county=None, name="East police"))
    rows.append(dict(cls="SD", region="East", county="Northshire", name="Merged district"))
    rows.append(dict(cls="L", region="London", county=None, name="City of London"))
    councils = pd.DataFrame(rows).rename(columns={"cls": "class"})
    n = len(councils)
    councils.insert(0, "ecode", [f"E{i:04d}" for i in range(n)])
    councils.insert(1, "ons_code", [f"E0{i:07d}" for i in range(n)])
    councils.loc[councils["name"] == "City of London", "ons_code"] = "E09000001"
    pop = np.exp(rng.normal(np.log(1.5e5), 0.5, n)).round()
    sc = councils["class"] == "SC"
    for idx in councils.index[sc]:
        county = councils.loc[idx, "name"].removesuffix(" County Council")
        pop[idx] = pop[(councils["county"] == county).to_numpy()].sum()
    councils["population_2011"] = pop
    councils["population_source"] = "census 2011"
    councils.loc[councils["class"] == "O", ["population_2011", "population_source"]] = (np.nan, "not a district")
    councils.loc[councils["name"] == "Merged district", ["population_2011", "population_source"]] = (
        np.nan, "merged after 2011")
    councils.loc[councils["name"] == "City of London", "population_2011"] = 7375.0
    councils["principal"] = councils["class"] != "O"

    provides = {"central": ("SC", "SD", "UA", "MD", "L"), "environmental_regulatory": ("SC", "SD", "UA", "MD", "L"),
                "adult_social_care": ("SC", "UA", "MD", "L"), "education": ("SC", "UA", "MD", "L"),
                "police": ("O",)}
    per_head = {"central": 0.05, "environmental_regulatory": 0.08, "adult_social_care": 0.3, "education": 0.6,
                "police": 0.2}
    spend_rows = []
    popn = councils["population_2011"].fillna(1e6)
    for service, classes in provides.items():
        for e, cls, p in zip(councils["ecode"], councils["class"], popn, strict=True):
            value = per_head[service] * p * rng.uniform(0.7, 1.3) if cls in classes else 0.0
            spend_rows.append((e, YEAR, service, value))
    spending = pd.DataFrame(spend_rows, columns=["ecode", "year", "service", "gbp_thousand"])
    tse = spending.groupby("ecode", as_index=False)["gbp_thousand"].sum().assign(
        year=YEAR, service="total_service_expenditure")
    spending = pd.concat([spending, tse], ignore_index=True)
    estimates = pd.DataFrame({
        "service": list(SERVICES), "year": YEAR,
        "classes": [",".join(scale.service_classes(s)) for s in SERVICES],
        "elasticity": [-0.12, -0.05, 0.02, -0.03, -0.04],
        "ci_low": [-0.2, -0.1, -0.03, -0.06, -0.08],
        "ci_high": [-0.04, 0.0, 0.07, 0.0, 0.0],
    })
    return councils, spending, estimates


def principal_codes(councils: pd.DataFrame) -> list[str]:
    ok = councils["principal"] & councils["population_2011"].notna() & (councils["ons_code"] != "E09000001")
    return councils.loc[ok, "ecode"].tolist()


def test_near_share_county_or_region_and_far_lie_outside_region() -> None:
    councils, spending, estimates = synthetic()
    info = councils.set_index("ecode")
    usable = councils[councils["ecode"].isin(principal_codes(councils))]
    one_per_group = usable.groupby(["class", "region"])["ecode"].first()  # every class in every region
    assert set(one_per_group.index.get_level_values("class")) == {"SC", "SD", "UA", "MD"}
    for code in one_per_group:
        table = partners.candidate_partners(code, councils, spending, estimates, n_near=50, n_far=50)
        me = info.loc[code]
        assert code not in set(table["ecode"]), "a council is never its own partner"
        near, far = table[table["kind"] == "near"], table[table["kind"] == "far"]
        assert ((near["region"] == me["region"]) | near["same_county"]).all()
        assert set(near["class"]) <= set(partners.COMPATIBLE_CLASSES[me["class"]])
        assert (far["region"] != me["region"]).all()
        assert set(far["class"]) <= set(partners.SIMILAR_CLASSES[me["class"]])
        assert len(far) > 0, f"{code} has far candidates in other regions"
        # no body without a population, no police body, no City of London
        assert set(table["ecode"]).isdisjoint(set(councils["ecode"]) - set(principal_codes(councils)))
        assert table["ecode"].is_unique


def test_district_pools_only_what_it_provides() -> None:
    councils, spending, estimates = synthetic()
    district = councils.loc[councils["name"] == "Northshire district 0", "ecode"].item()
    table = partners.candidate_partners(district, councils, spending, estimates, n_near=50, n_far=50)
    same_county = table[table["same_county"]]
    assert set(same_county["name"]) == {f"Northshire district {i}" for i in (1, 2, 3)}
    # its county council is a near candidate (same region) for the services both tiers provide
    county = table.set_index("name").loc["Northshire County Council"]
    assert county["kind"] == "near" and county["services_pooled"] == 2
    assert (table.loc[table["class"] == "SD", "services_pooled"] == 2).all()
    # the district's mix (no social care, no education) is far from the county's
    assert county["mix_distance"] > table.loc[table["class"] == "SD", "mix_distance"].max()


def test_ranked_by_distance_and_a_twin_comes_first() -> None:
    councils, spending, estimates = synthetic()
    me = councils.loc[councils["name"] == "West unitary 0"].iloc[0]
    # plant a far twin: same population and identical service mix, in another region
    twin = councils.loc[councils["name"] == "North unitary 2"].index.item()
    councils.loc[twin, "population_2011"] = me["population_2011"]
    mine = spending[spending["ecode"] == me["ecode"]].set_index("service")["gbp_thousand"]
    is_twin = spending["ecode"] == councils.loc[twin, "ecode"]
    spending.loc[is_twin, "gbp_thousand"] = spending.loc[is_twin, "service"].map(mine).to_numpy() * 1.01
    table = partners.candidate_partners(me["ecode"], councils, spending, estimates, n_near=4, n_far=4)
    far = table[table["kind"] == "far"]
    assert far.iloc[0]["name"] == "North unitary 2"
    assert far.iloc[0]["distance"] == pytest.approx(0.0, abs=1e-9)
    for _, part in table.groupby("kind"):
        assert list(part["rank"]) == list(range(1, len(part) + 1))
        assert part["distance"].is_monotonic_increasing
    assert (table.groupby("kind").size() == 4).all()


def test_distance_components() -> None:
    councils, spending, estimates = synthetic()
    code = councils.loc[councils["name"] == "East unitary 1", "ecode"].item()
    table = partners.candidate_partners(code, councils, spending, estimates, n_near=3, n_far=3)
    info = councils.set_index("ecode")
    mix = partners.service_mix(spending, YEAR)
    for row in table.itertuples():
        ratio = info.loc[row.ecode, "population_2011"] / info.loc[code, "population_2011"]
        assert row.population_ratio == pytest.approx(ratio)
        assert row.population_distance == pytest.approx(abs(np.log(ratio)))
        assert row.mix_distance == pytest.approx(partners.mix_distance(mix.loc[code], mix.loc[row.ecode]))
        assert 0 <= row.mix_distance <= 1
    assert np.allclose(mix.sum(axis=1), 1.0)


def test_savings_for_each_pair_come_from_the_scale_formula() -> None:
    councils, spending, estimates = synthetic()
    code = councils.loc[councils["name"] == "Westshire district 1", "ecode"].item()
    table = partners.candidate_partners(code, councils, spending, estimates, n_near=2, n_far=2,
                                        deflator=NO_INFLATION)
    info = councils.set_index("ecode")
    wide = spending.pivot_table(index="ecode", columns="service", values="gbp_thousand")
    for row in table.itertuples():
        pair = [code, row.ecode]
        pops = info.loc[pair, "population_2011"].to_numpy()
        # a district pairs with a district: only the district-level services are pooled
        expected = [scale.pooling_saving(wide.loc[pair, s].to_numpy(), pops, b, ci=(lo, hi))
                    for s, b, lo, hi in estimates[["service", "elasticity", "ci_low", "ci_high"]].itertuples(index=False)
                    if s in ("central", "environmental_regulatory")]
        assert row.services_pooled == 2
        assert row.saving_gbp_thousand == pytest.approx(sum(e.saving_gbp_thousand for e in expected))
        assert row.saving_low_gbp_thousand == pytest.approx(sum(e.saving_low_gbp_thousand for e in expected))
        assert row.saving_high_gbp_thousand == pytest.approx(sum(e.saving_high_gbp_thousand for e in expected))
        combined = sum(e.combined_spend_gbp_thousand for e in expected)
        assert row.saving_pct_of_combined_spend == pytest.approx(100 * row.saving_gbp_thousand / combined)
        assert row.council_saving_gbp_thousand == pytest.approx(
            sum(e.saving_by_council_gbp_thousand[0] for e in expected))
        assert row.saving_low_gbp_thousand <= row.saving_gbp_thousand <= row.saving_high_gbp_thousand


def test_money_is_deflated_to_2010_11_prices() -> None:
    councils, spending, estimates = synthetic()
    pair = ["E0001", "E0002"]
    cash = partners.combination_saving(pair, councils, spending, estimates, deflator=NO_INFLATION)
    real = partners.combination_saving(pair, councils, spending, estimates,
                                       deflator={"2010-11": 100.0, YEAR: 125.0})
    money = [c for c in cash.columns if c.endswith("_gbp_thousand")]
    assert np.allclose(real[money], 0.8 * cash[money], equal_nan=True)
    pct = [c for c in cash.columns if c.startswith("saving_pct")]
    assert np.allclose(real[pct], cash[pct], equal_nan=True)
    # default: the GDP deflator in data/assumptions/prices.yaml
    from sharedservices.inputs import assumptions

    index = assumptions.value("prices.gdp_deflator")
    default = partners.combination_saving(pair, councils, spending, estimates)
    factor = float(index["2010-11"]) / float(index[YEAR])
    assert np.allclose(default[money], factor * cash[money], equal_nan=True)


def test_three_council_combination_notes_services_not_pooled() -> None:
    councils, spending, estimates = synthetic()
    names = ["East unitary 0", "Northshire County Council", "East metropolitan 1"]
    codes = [councils.loc[councils["name"] == n, "ons_code"].item() for n in names]  # ONS codes accepted
    out = partners.combination_saving(codes, councils, spending, estimates).set_index("service")
    assert "total_service_expenditure" not in out.index  # totals are never pooled
    assert "education" not in out.index  # not pooled unless asked for (schools' budgets)
    assert out.loc[["central", "environmental_regulatory", "adult_social_care"], "pooled"].all()
    total = out.loc["all pooled services"]
    pooled = out[out["pooled"] & (out.index != "all pooled services")]
    assert total["saving_gbp_thousand"] == pytest.approx(pooled["saving_gbp_thousand"].sum())
    # adult social care has a positive elasticity: pooling it is predicted to cost more
    assert out.loc["adult_social_care", "saving_gbp_thousand"] < 0
    # a district and its county: adult social care is not a district service
    pair = [councils.loc[councils["name"] == n, "ecode"].item()
            for n in ("Northshire district 1", "Northshire County Council")]
    mixed = partners.combination_saving(pair, councils, spending, estimates,
                                        services=["central", "adult_social_care", "education"]).set_index("service")
    assert mixed.loc["central", "pooled"] and not mixed.loc["adult_social_care", "pooled"]
    assert "(SD) not of the model's classes" in mixed.loc["education", "note"]


@pytest.mark.parametrize(
    ("code", "match"),
    [("E9999", "council: 'E9999' is not an English principal council"),
     ("", "council: '' is not a council code"),
     ("POLICE", None), ("MERGED", "has no exact 2011 population")],
)
def test_council_validated_at_the_door(code: str, match: str | None) -> None:
    councils, spending, estimates = synthetic()
    if code == "POLICE":
        code = councils.loc[councils["class"] == "O", "ecode"].item()
        match = f"council: '{code}' is not an English principal council"
    if code == "MERGED":
        code = councils.loc[councils["name"] == "Merged district", "ecode"].item()
    with pytest.raises(InputError, match=match) as err:
        partners.candidate_partners(code, councils, spending, estimates)
    assert "\n" not in str(err.value)


def test_resolve_copes_with_a_missing_ons_code() -> None:
    councils, _, _ = synthetic()
    councils.loc[0, "ons_code"] = None
    assert partners.resolve("e0001", councils) == "E0001"
    assert partners.resolve(councils.loc[1, "ons_code"].lower(), councils) == "E0001"
    with pytest.raises(InputError, match="council: 'nan'"):
        partners.resolve("nan", councils)


@pytest.mark.parametrize(
    "kwargs", [{"n_near": -1}, {"n_far": 2.5}, {"weights": (0.0, 0.0)}, {"weights": (1.0,)}]
)
def test_bad_options_raise(kwargs: dict) -> None:
    councils, spending, estimates = synthetic()
    with pytest.raises(InputError):
        partners.candidate_partners("E0001", councils, spending, estimates, **kwargs)


def test_combination_rejects_one_council_or_duplicates() -> None:
    councils, spending, estimates = synthetic()
    with pytest.raises(InputError, match="council_codes"):
        partners.combination_saving(["E0001"], councils, spending, estimates)
    with pytest.raises(InputError, match="twice"):
        partners.combination_saving(["E0001", "e0001"], councils, spending, estimates)
    with pytest.raises(InputError, match="services"):
        partners.combination_saving(["E0001", "E0002"], councils, spending, estimates, services=["police"])


def test_estimates_may_be_fits() -> None:
    councils, spending, _ = synthetic()
    fits = scale.fit_services(councils, spending, YEAR, ["central"])
    table = partners.candidate_partners("E0001", councils, spending, fits, n_near=2, n_far=2)
    assert len(table) == 4 and (table["services_pooled"] == 1).all()


# ------------------------------------------------------------------ real data (optional)

needs_data = pytest.mark.skipif(
    not (paths.processed_dir() / "spending.csv").exists()
    or not (paths.processed_dir() / "councils.csv").exists(),
    reason="data/processed not built (make data)",
)


@needs_data
def test_real_data_partners_for_a_district() -> None:
    from sharedservices.inputs import data

    councils, spending = data.councils(), data.spending()
    fits = scale.fit_services(councils, spending, YEAR, ["central", "environmental_regulatory"])
    district = councils[(councils["class"] == "SD") & councils["population_2011"].notna()].iloc[0]
    table = partners.candidate_partners(district["ecode"], councils, spending, fits)
    me_region = district["region"]
    assert (table.loc[table["kind"] == "far", "region"] != me_region).all()
    assert district["ecode"] not in set(table["ecode"])
    assert table["saving_gbp_thousand"].notna().all()
