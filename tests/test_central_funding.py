"""Like-for-like central funding: the committed table, its definition and its checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import DataError
from sharedservices.inputs import assumptions, data, paths
from sharedservices.inputs.importers import central_funding as cf
from sharedservices.inputs.importers import derived_tables, prices

RAW = paths.raw_dir()
PRICES = RAW / "prices" / "hmt_gdp_deflator_calendar_years_dec2025.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return data.central_funding()


@pytest.fixture(scope="module")
def real(table: pd.DataFrame) -> pd.DataFrame:
    d = assumptions.value("prices.gdp_deflator")
    t = table.assign(real=table["gbp_thousand"] * 100.0 / table["year"].map(d))
    return t.pivot(index="ecode", columns="year", values="real")


def test_committed_table_is_the_fresh_build(table: pd.DataFrame) -> None:
    fresh = derived_tables({"finance": data.finance(), "spending": data.spending(),
                            "councils": data.councils()})["central_funding"]
    assert list(fresh.columns) == list(cf.COLUMNS) == ["ecode", "year", *data.CENTRAL_FUNDING_MONEY[:1],
                                                        *data.CENTRAL_FUNDING_MONEY[1:-2], *data.CENTRAL_FUNDING_MONEY[-2:],
                                                        "basis", "flags", "status"]
    pd.testing.assert_frame_equal(
        fresh.drop(columns=["flags"]).reset_index(drop=True),
        table.drop(columns=["flags"]).reset_index(drop=True),
        check_dtype=False, rtol=1e-9, atol=1e-6,
    )
    assert (fresh["flags"].fillna("").replace("", None).fillna("") == table["flags"].fillna("")).all()


def test_one_row_per_principal_council_and_year(table: pd.DataFrame) -> None:
    principal = data.councils().query("principal")
    assert len(table) == len(principal) * 6
    assert set(table["ecode"]) == set(principal["ecode"])
    assert not table.duplicated(["ecode", "year"]).any()


def test_components_sum_to_the_total(table: pd.DataFrame) -> None:
    ok = table["status"] == "reported"
    total = table.loc[ok, list(cf.COMPONENTS)].sum(axis=1)
    np.testing.assert_allclose(total, table.loc[ok, "gbp_thousand"], rtol=0, atol=1e-3)
    est = table.loc[ok, list(cf.ESTIMATED)].abs().sum(axis=1)
    np.testing.assert_allclose(est, table.loc[ok, "estimated_gbp_thousand"], rtol=0, atol=1e-3)
    # every principal council has positive funding in every collected year
    assert (table.loc[ok, "gbp_thousand"] > 0).all()


def test_copeland_2017_18_is_missing_not_zero(table: pd.DataFrame) -> None:
    row = table[(table["ecode"] == "E0934") & (table["year"] == "2017-18")]
    if row.empty or row["status"].item() == "reported":
        pytest.skip("Copeland's 2017-18 return is not missing in this data")
    assert np.isnan(row["gbp_thousand"].item()) and "not_collected" in row["flags"].item()


def test_components_appear_only_in_their_years(table: pd.DataFrame) -> None:
    by = table.groupby("year")[list(cf.COMPONENTS)].apply(lambda g: g.abs().sum())
    assert (by.loc[by.index != "2010-11", ["area_based_grant", "rolled_in_grants_estimate",
                                            "concessionary_travel_estimate"]] == 0).all().all()
    assert by.loc["2010-11", "local_services_support_grant"] == 0
    later = ["2013-14", "2014-15", "2017-18"]
    assert (by.loc[[y for y in by.index if y not in later], ["council_tax_support_estimate",
                                                              "learning_disability_grant_estimate"]] == 0).all().all()
    assert (by.loc[later, "council_tax_support_estimate"] > 0).all()
    assert (by.loc[["2011-12", "2012-13"], "early_intervention_grant_estimate"] > 0).all()
    assert by.loc["2017-18", "education_services_estimate"] == 0
    # the concessionary travel transfer moves money between tiers and adds up to nothing
    assert abs(table.loc[table["year"] == "2010-11", "concessionary_travel_estimate"].sum()) < 1e-3


def test_national_estimates_match_their_cited_totals(table: pd.DataFrame) -> None:
    v = assumptions.value
    by = table.groupby("year").sum(numeric_only=True)
    eig = v("central_funding.early_intervention_grant_gbp_thousand")
    for y in ("2011-12", "2012-13"):
        assert by.loc[y, "early_intervention_grant_estimate"] == pytest.approx(eig[y])
    assert -by.loc["2013-14", "learning_disability_grant_estimate"] == pytest.approx(
        v("central_funding.learning_disability_grant_2012_13_gbp_thousand"))
    assert by.loc["2013-14", "education_services_estimate"] == pytest.approx(
        v("central_funding.education_services_transfer_2013_14_gbp_thousand"))
    # council tax support read from councils' own returns: about 85 % of England's £3.3bn,
    # the rest being police, fire and the GLA's share
    cts = -by.loc["2013-14", "council_tax_support_estimate"]
    england = v("central_funding.council_tax_support_england_gbp_thousand")
    assert 0.7 * england < cts < england


def test_the_2013_14_break_is_like_for_like(real: pd.DataFrame) -> None:
    """Few councils rise by more than 5 % of 2010-11 funding at the change to rates retention
    (94 % did on the old measure), and England's fall is of the size of the national cuts."""
    step = (real["2013-14"] - real["2012-13"]) / real["2010-11"]
    assert (step > 0.05).mean() < 0.05
    assert (step > 0).mean() < 0.25
    england = real.sum()
    change = england / england["2010-11"] - 1
    assert -0.40 < change["2014-15"] < -0.20
    assert -0.65 < change["2017-18"] < -0.40
    assert (np.diff(change[["2010-11", "2011-12", "2012-13", "2013-14", "2014-15"]].to_numpy()) < 0).all()


def test_rise_check_lists_and_explains(table: pd.DataFrame) -> None:
    d = assumptions.value("prices.gdp_deflator")
    tol = assumptions.value("central_funding.rise_tolerance_share_of_2010_11")
    rises = cf.real_rises(table, d, tol, data.councils())
    assert (rises["rise_share_of_2010_11"] > tol).all()
    assert set(rises["driver"]) <= set(cf.RISE_GROUPS)
    assert rises["explanation"].str.contains("£").all()
    # at the change of regime revenue support grant and rates count as one line
    at_break = rises[rises["to_year"] == "2013-14"]
    assert "revenue_support_grant" not in set(at_break["driver"])
    assert rises["name"].notna().all()
    # a planted rise is caught and attributed to the line that caused it
    planted = table.copy()
    i = planted.index[(planted["ecode"] == "E0101") & (planted["year"] == "2012-13")][0]
    planted.loc[i, "local_services_support_grant"] += 20000.0
    planted.loc[i, "gbp_thousand"] += 20000.0
    got = cf.real_rises(planted, d, tol)
    hit = got[(got["ecode"] == "E0101") & (got["to_year"] == "2012-13")]
    assert hit["driver"].tolist() == ["local_services_support_grant"]


def test_rates_pilots_are_measured_on_their_settlement_and_flagged(table: pd.DataFrame) -> None:
    pilots = sorted(assumptions.value("central_funding.rates_pilots_2017_18"))
    sfa = assumptions.value("central_funding.rates_pilots_settlement_2017_18_gbp_thousand")
    t17 = table[table["year"] == "2017-18"].set_index("ecode")
    assert t17.loc[pilots, "flags"].str.contains("rates_pilot").all()
    assert (t17.loc[pilots, "revenue_support_grant"] == 0).all()
    assert not t17.drop(index=pilots)["flags"].fillna("").str.contains("rates_pilot").any()
    settlement = t17.loc[pilots, "revenue_support_grant"] + t17.loc[pilots, "business_rates"]
    np.testing.assert_allclose(settlement, [sfa[c] for c in pilots])
    # what they retained beyond it (grants paid through rates, growth) is beside the measure
    retained = data.finance_wide("2017-18").loc[pilots, "retained_business_rates"]
    np.testing.assert_allclose(t17.loc[pilots, "retained_rates_above_baseline"], retained - settlement)
    assert (t17.loc[pilots, "retained_rates_above_baseline"] > 0).all()


def test_rates_baseline_follows_the_settlement_split() -> None:
    f = data.finance_wide("2013-14")
    c = data.councils().set_index("ecode")["class"]
    upper = f.index[c.reindex(f.index).isin(["SC", "UA", "MD", "L"])]
    ratio = (f.loc[upper, "retained_business_rates"] / f.loc[upper, "revenue_support_grant"])
    # the evidence for one split: upper-tier councils' retained rates sit in a tight band
    assert ratio.quantile(0.75) - ratio.quantile(0.25) < 0.05
    base = cf.rates_baseline(f["revenue_support_grant"], f["retained_business_rates"], c,
                             {"2013-14": 1.0})["2013-14"]
    assert (base.loc[upper] / f.loc[upper, "retained_business_rates"]).median() == pytest.approx(1.0, abs=1e-3)


def test_missing_year_in_the_tables_is_an_error() -> None:
    fin = data.finance()
    with pytest.raises(DataError, match="no revenue_support_grant rows for 2017-18"):
        cf.build_central_funding(fin[fin["year"] != "2017-18"], data.spending(), data.councils(),
                                 cf.rules_from_assumptions())


def test_financial_year_deflator_from_calendar_years() -> None:
    fy = prices.financial_year_index({2009: 95.0, 2010: 100.0, 2011: 104.0})
    assert fy == {"2009-10": pytest.approx(100 * (0.75 * 95 + 25) / 101), "2010-11": 100.0}
    with pytest.raises(DataError, match="no calendar years for 2010-11"):
        prices.financial_year_index({2012: 1.0, 2013: 2.0})


@pytest.mark.skipif(not PRICES.is_file(), reason=f"RAW_DIR={RAW} does not hold the HM Treasury deflator file")
def test_prices_yaml_is_hm_treasurys_series() -> None:
    derived = prices.financial_year_index(prices.read_calendar_deflator(PRICES))
    prices.check_assumed_series(derived, assumptions.value("prices.gdp_deflator"))
    assert set(assumptions.value("prices.gdp_deflator")) == set(derived)


@pytest.mark.parametrize(("text", "message"), [
    ("yr,x\n2010,1\n", "header"),
    ("year,x\n2010,abc\n", "is not a year and a number"),
    ("year,x\n2010,-1\n", "positive finite"),
    ("year,x\n2010,1\n2012,2\n", "not consecutive"),
    ("year,x\n2010,1\n2010,2\n", "appears twice"),
])
def test_bad_deflator_files_stop_with_one_line(tmp_path, text: str, message: str) -> None:
    p = tmp_path / "d.csv"
    p.write_text(text)
    with pytest.raises(DataError, match=message):
        prices.read_calendar_deflator(p)
