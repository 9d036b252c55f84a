"""Tests for sharedservices.model.scale: the scale regressions, diagnostics and pooling arithmetic.

The statsmodels estimates are checked against a least-squares fit and HC3 errors computed
here by hand with numpy on small synthetic frames; the real tables are used only by the
integration tests at the end, which skip when data/processed has not been built.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sharedservices.errors import DataError, InputError
from sharedservices.inputs import paths
from sharedservices.model import scale

YEAR = "2011-12"


def synthetic(seed: int = 1, n_per_class: int = 12, elasticity: float = -0.15) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Councils of four classes in three regions plus London, spending with skewed noise.

    London boroughs are exactly the London region (as in England), so the class and
    region dummies are collinear there.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for cls in ("SD", "UA", "MD", "L"):
        for i in range(n_per_class):
            region = "London" if cls == "L" else ("North", "Midlands", "South")[i % 3]
            rows.append({"ecode": f"E{cls}{i:02d}", "ons_code": f"O{cls}{i:02d}", "name": f"{cls} council {i}",
                         "class": cls, "region": region, "county": "Shire" if cls == "SD" else None})
    councils = pd.DataFrame(rows)
    n = len(councils)
    councils["population_2011"] = np.exp(rng.normal(np.log(2e5), 0.6, n)).round()
    councils["population_source"] = "census 2011"
    councils["principal"] = True
    class_level = councils["class"].map({"SD": 0.0, "UA": 0.3, "MD": 0.25, "L": 0.5})
    region_level = councils["region"].map({"North": 0.1, "Midlands": 0.0, "South": -0.1, "London": 0.0})
    # heteroskedastic noise: larger for small councils, so HC3 differs from the classical SE
    noise = rng.standard_t(4, n) * 0.05 * (2e5 / councils["population_2011"]) ** 0.5
    per_head = np.exp(4.0 + elasticity * np.log(councils["population_2011"]) + class_level + region_level + noise)
    spending = pd.DataFrame({
        "ecode": councils["ecode"], "year": YEAR, "service": "central",
        "gbp_thousand": per_head * councils["population_2011"] / 1000.0,
    })
    return councils, spending


def hand_ols_hc3(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares by numpy lstsq and HC3 standard errors by the sandwich formula."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    xtx_inv = np.linalg.inv(X.T @ X)
    leverage = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    meat = X.T @ (X * (resid**2 / (1.0 - leverage) ** 2)[:, None])
    cov = xtx_inv @ meat @ xtx_inv
    return beta, np.sqrt(np.diag(cov)), resid


def design(frame: pd.DataFrame, drop_region: str | None) -> np.ndarray:
    """Intercept, log population, class and region dummies built by hand (first level dropped)."""
    cols = [np.ones(len(frame)), np.log(frame["population"].to_numpy())]
    for col, drop in (("class", None), ("region", drop_region)):
        levels = sorted(lev for lev in frame[col].unique() if lev != drop)[1:]
        cols += [(frame[col] == lev).to_numpy(float) for lev in levels]
    return np.column_stack(cols)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_elasticity_and_hc3_match_hand_computed_fit(seed: int) -> None:
    councils, spending = synthetic(seed)
    fit = scale.fit_service(councils, spending, "central", YEAR)
    used = fit.data
    # London region dummy is collinear with class L: the hand design drops it; the column
    # space, hence the elasticity and its HC3 error, is the same whichever is dropped.
    X = design(used, drop_region="London")
    y = np.log(used["spend_gbp_thousand"].to_numpy() * 1000 / used["population"].to_numpy())
    beta, se, resid = hand_ols_hc3(X, y)
    assert fit.elasticity == pytest.approx(beta[1], rel=1e-9, abs=1e-12)
    assert fit.se_hc3 == pytest.approx(se[1], rel=1e-9)
    # the classical (non-robust) error differs, so the test would catch a wrong cov_type
    classical = np.sqrt(resid @ resid / (len(y) - X.shape[1]) * np.linalg.inv(X.T @ X)[1, 1])
    assert not np.isclose(classical, se[1], rtol=1e-3)
    dof = len(y) - X.shape[1]
    q = stats.t.ppf(0.975, dof)
    assert fit.ci == pytest.approx((beta[1] - q * se[1], beta[1] + q * se[1]), rel=1e-9)
    r2 = 1 - resid @ resid / np.sum((y - y.mean()) ** 2)
    row = scale.coefficients(fit).iloc[0]
    assert row["r_squared"] == pytest.approx(r2, rel=1e-9)
    assert row["n"] == len(y) == len(councils)
    assert fit.dropped_controls == ("C(region)[T.London]",)


def test_recovers_true_elasticity_within_its_interval() -> None:
    councils, spending = synthetic(seed=5, n_per_class=40, elasticity=-0.2)
    fit = scale.fit_service(councils, spending, "central", YEAR)
    low, high = fit.ci
    assert low < -0.2 < high
    assert high - low < 0.2


def test_level_changes_interval_width() -> None:
    councils, spending = synthetic(seed=4)
    narrow = scale.fit_service(councils, spending, "central", YEAR, level=0.5).ci
    wide = scale.fit_service(councils, spending, "central", YEAR, level=0.99).ci
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_no_controls_equals_simple_regression() -> None:
    councils, spending = synthetic(seed=6)
    fit = scale.fit_service(councils, spending, "central", YEAR, controls=())
    used = fit.data
    slope = np.polyfit(used["log_population"], used["log_spend_per_head"], 1)[0]
    assert fit.elasticity == pytest.approx(slope, rel=1e-9)
    assert fit.dropped_controls == ()


def all_reasons_frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    councils, spending = synthetic(seed=7)
    extra = pd.DataFrame([
        {"ecode": "EPOL", "ons_code": "OPOL", "name": "Police body", "class": "O", "region": "North",
         "population_2011": np.nan, "population_source": "not a district", "principal": False},
        {"ecode": "ESC1", "ons_code": "OSC1", "name": "Shire county", "class": "SC", "region": "North",
         "population_2011": 7e5, "population_source": "sum of districts", "principal": True},
        {"ecode": "ECOL", "ons_code": "E09000001", "name": "City of London", "class": "L", "region": "London",
         "population_2011": 7375.0, "population_source": "census 2011", "principal": True},
        {"ecode": "EMRG", "ons_code": "OMRG", "name": "Merged district", "class": "SD", "region": "South",
         "population_2011": np.nan, "population_source": "merged after 2011: no exact 2011 figure",
         "principal": True},
        {"ecode": "ENOR", "ons_code": "ONOR", "name": "No row", "class": "UA", "region": "South",
         "population_2011": 1e5, "population_source": "census 2011", "principal": True},
        {"ecode": "ENAN", "ons_code": "ONAN", "name": "Not collected", "class": "SD", "region": "North",
         "population_2011": 7e4, "population_source": "census 2011", "principal": True},
        {"ecode": "ENEG", "ons_code": "ONEG", "name": "Negative", "class": "MD", "region": "North",
         "population_2011": 3e5, "population_source": "census 2011", "principal": True},
    ])
    councils = pd.concat([councils, extra], ignore_index=True)
    more = pd.DataFrame({"ecode": ["EPOL", "ESC1", "ECOL", "EMRG", "ENAN", "ENEG"], "year": YEAR,
                         "service": "central", "gbp_thousand": [900.0, 5000.0, 80000.0, 800.0, np.nan, -20.0]})
    # housing: a district function, so the shire county is outside the model by design
    return councils, pd.concat([spending, more], ignore_index=True).assign(service="housing")


def test_left_out_councils_are_reported_with_reasons() -> None:
    councils, spending = all_reasons_frame()
    fit = scale.fit_service(councils, spending, "housing", YEAR)
    everyone = scale.left_out(fit, by_design=True).set_index("ecode")
    expected = {"EPOL": "not_principal", "ESC1": "class_not_in_model", "ECOL": "sui_generis",
                "EMRG": "no_population", "ENOR": "no_spending", "ENAN": "spending_missing",
                "ENEG": "non_positive_spending"}
    assert everyone["reason_code"].to_dict() == expected
    assert "merged after 2011" in everyone.loc["EMRG", "reason"]
    assert set(fit.data["ecode"]).isdisjoint(expected)
    assert len(fit.data) + len(expected) == len(councils)
    # by default only the councils the model could have used are listed
    assert set(scale.left_out(fit)["ecode"]) == {"ECOL", "EMRG", "ENOR", "ENAN", "ENEG"}
    assert scale.coefficients(fit).iloc[0]["n_left_out"] == 5


def test_sui_generis_can_be_kept() -> None:
    councils, spending = all_reasons_frame()
    fit = scale.fit_service(councils, spending, "housing", YEAR, exclude_sui_generis=False)
    assert "ECOL" in set(fit.data["ecode"])


def test_upper_tier_service_leaves_out_districts_by_design() -> None:
    councils, spending = synthetic(seed=8)
    spending = spending.assign(service="adult_social_care")
    fit = scale.fit_service(councils, spending, "adult_social_care", YEAR)
    assert set(fit.data["class"]) == {"UA", "MD", "L"}
    sd = scale.left_out(fit, by_design=True).query("`class` == 'SD'")
    assert len(sd) == 12 and set(sd["reason_code"]) == {"class_not_in_model"}


def test_coefficients_by_year_stacks_each_year() -> None:
    councils, spending = synthetic(seed=16)
    later = spending.assign(year="2012-13", gbp_thousand=spending["gbp_thousand"] * (
        councils["population_2011"].to_numpy() / 2e5) ** -0.1)
    table = scale.coefficients_by_year(councils, pd.concat([spending, later]), [YEAR, "2012-13"])
    assert table["year"].tolist() == [YEAR, "2012-13"]
    # multiplying spending by (P / 2e5)^-0.1 lowers the elasticity by exactly 0.1
    assert table["elasticity"].iloc[1] == pytest.approx(table["elasticity"].iloc[0] - 0.1, abs=1e-9)
    with pytest.raises(InputError, match="year: '1999-00'"):
        scale.coefficients_by_year(councils, spending, ["1999-00"])


def test_fit_services_uses_services_present_in_year() -> None:
    councils, spending = synthetic(seed=9)
    both = pd.concat([spending, spending.assign(service="housing", year="2012-13")], ignore_index=True)
    assert list(scale.fit_services(councils, both, YEAR)) == ["central"]
    table = scale.coefficients(scale.fit_services(councils, both, "2012-13"))
    assert table["service"].tolist() == ["housing"]


def test_influence_names_the_planted_outlier_first() -> None:
    councils, spending = synthetic(seed=10)
    spending.loc[spending["ecode"] == "EUA03", "gbp_thousand"] *= 4.0
    table = scale.influence(scale.fit_service(councils, spending, "central", YEAR), top=3)
    assert table.iloc[0]["ecode"] == "EUA03"
    assert bool(table.iloc[0]["influential"])
    assert list(table["cooks_distance"]) == sorted(table["cooks_distance"], reverse=True)
    assert ((table["leverage"] > 0) & (table["leverage"] < 1)).all()


def test_residuals_frame_adds_up() -> None:
    councils, spending = synthetic(seed=11)
    fit = scale.fit_service(councils, spending, "central", YEAR)
    res = scale.residuals(fit)
    assert np.allclose(res["fitted"] + res["residual"], res["log_spend_per_head"])
    assert abs(res["residual"].sum()) < 1e-8  # the intercept makes residuals sum to zero
    assert res["studentized_residual"].notna().all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"service": "nonsense"}, "service: 'nonsense'"),
        ({"service": "central", "year": "1999-00"}, "year: '1999-00'"),
        ({"service": "central", "classes": ["XX"]}, "classes:"),
        ({"service": "central", "level": 1.5}, "level: 1.5"),
        ({"service": "central", "controls": ["county"]}, "controls:"),
        ({"service": "housing"}, "service: 'housing' has no spending in 2011-12"),
    ],
)
def test_bad_inputs_raise_one_line_input_errors(kwargs: dict, match: str) -> None:
    councils, spending = synthetic(seed=12)
    kwargs = {"year": YEAR, **kwargs}
    with pytest.raises(InputError, match=match) as err:
        scale.fit_service(councils, spending, **kwargs)
    assert "\n" not in str(err.value)


def test_too_few_councils_is_a_data_error() -> None:
    councils, spending = synthetic(seed=13, n_per_class=1)
    with pytest.raises(DataError, match="central 2011-12"):
        scale.fit_service(councils, spending, "central", YEAR)


def test_council_alone_in_its_region_is_a_data_error_not_an_infinite_error() -> None:
    councils, spending = synthetic(seed=14)
    councils.loc[councils["ecode"] == "ESD00", "region"] = "Islands"
    with pytest.raises(DataError, match="ESD00 exactly"):
        scale.fit_service(councils, spending, "central", YEAR)
    # without the region control the same frame fits
    assert np.isfinite(scale.fit_service(councils, spending, "central", YEAR, controls=("class",)).se_hc3)


def test_missing_column_is_a_data_error() -> None:
    councils, spending = synthetic(seed=13)
    with pytest.raises(DataError, match="councils: missing column"):
        scale.fit_service(councils.drop(columns="region"), spending, "central", YEAR)


# ------------------------------------------------------------------ pooling arithmetic


def test_pooling_saving_worked_case() -> None:
    # Two councils: 100k residents spending £100k, 300k residents spending £300k; b = -0.1.
    # Combined population 400k. Council 1 moves to 100 * (400/100)^-0.1 = 100 * 4^-0.1,
    # council 2 to 300 * (400/300)^-0.1.  4^-0.1 = 0.8705506, (4/3)^-0.1 = 0.9716417.
    # Pooled 87.05506 + 291.49250 = 378.54755; saving 21.45245 (5.36311 % of 400),
    # of which council 1 saves 100 - 87.05506 = 12.94494 and council 2 300 - 291.49250 = 8.50750.
    s = scale.pooling_saving([100.0, 300.0], [1e5, 3e5], -0.1, ci=(-0.2, 0.0))
    assert s.combined_spend_gbp_thousand == 400.0
    assert s.pooled_spend_gbp_thousand == pytest.approx(378.54755, abs=1e-5)
    assert s.saving_gbp_thousand == pytest.approx(21.45245, abs=1e-5)
    assert s.saving_pct_of_combined_spend == pytest.approx(5.36311, abs=1e-5)
    assert s.saving_by_council_gbp_thousand == pytest.approx((12.94494, 8.50750), abs=1e-5)
    # interval: b = 0 saves nothing; b = -0.2 saves 100(1 - 4^-0.2) + 300(1 - (4/3)^-0.2)
    assert s.saving_low_gbp_thousand == pytest.approx(0.0, abs=1e-12)
    assert s.saving_high_gbp_thousand == pytest.approx(100 * (1 - 4**-0.2) + 300 * (1 - (4 / 3) ** -0.2))
    assert s.saving_pct_low <= s.saving_pct_of_combined_spend <= s.saving_pct_high


def test_pooling_three_councils_matches_proportional_share() -> None:
    # with spending exactly k * P^(1+b), the saving share is 1 - P^(1+b) / sum P_i^(1+b)
    pops = np.array([8e4, 1.2e5, 2.5e5])
    b = -0.12
    spend = 0.3 * pops ** (1 + b)
    s = scale.pooling_saving(spend, pops, b)
    expected = 1 - pops.sum() ** (1 + b) / (pops ** (1 + b)).sum()
    assert s.saving_pct_of_combined_spend / 100 == pytest.approx(expected, rel=1e-12)
    assert float(scale.pooling_saving_share(pops, b)) == pytest.approx(expected, rel=1e-12)
    assert s.saving_low_gbp_thousand == s.saving_gbp_thousand == s.saving_high_gbp_thousand


def test_diseconomies_of_scale_give_a_negative_saving() -> None:
    s = scale.pooling_saving([50.0, 70.0], [4e4, 6e4], 0.05, ci=(0.01, 0.09))
    assert s.saving_high_gbp_thousand < 0
    assert s.saving_low_gbp_thousand < s.saving_gbp_thousand < s.saving_high_gbp_thousand


@pytest.mark.parametrize(
    ("spend", "pops", "b", "ci"),
    [([100.0], [1e5, 2e5], -0.1, None), ([100.0, -5.0], [1e5, 2e5], -0.1, None),
     ([100.0, 50.0], [1e5, 0.0], -0.1, None), ([100.0, 50.0], [1e5, 2e5], -0.1, (0.0, 0.1))],
)
def test_pooling_rejects_bad_inputs(spend, pops, b, ci) -> None:
    with pytest.raises(InputError):
        scale.pooling_saving(spend, pops, b, ci=ci)


def test_pooling_table_equal_councils() -> None:
    councils, spending = synthetic(seed=15)
    fit = scale.fit_service(councils, spending, "central", YEAR)
    table = scale.pooling_table(fit, (2, 3), deflator={"2010-11": 100.0, YEAR: 110.0})
    b, (lo, hi) = fit.elasticity, fit.ci
    for row in table.itertuples():
        k = row.councils_pooled
        assert row.saving_pct == pytest.approx(100 * (1 - k**b))
        assert (row.saving_pct_low, row.saving_pct_high) == pytest.approx((100 * (1 - k**hi), 100 * (1 - k**lo)))
        # the same as pooling_saving for k councils of the median size
        median = fit.data["spend_gbp_thousand"].median() * 100 / 110
        direct = scale.pooling_saving([median] * k, [1e5] * k, b, ci=(lo, hi))
        assert row.saving_gbp_thousand == pytest.approx(direct.saving_gbp_thousand)
        assert row.saving_high_gbp_thousand == pytest.approx(direct.saving_high_gbp_thousand)
    with pytest.raises(InputError, match="councils_pooled"):
        scale.pooling_table(fit, (1,))


# ------------------------------------------------------------------ real data (optional)

needs_data = pytest.mark.skipif(
    not (paths.processed_dir() / "spending.csv").exists()
    or not (paths.processed_dir() / "councils.csv").exists(),
    reason="data/processed not built (make data)",
)


@needs_data
def test_real_data_main_services_fit() -> None:
    from sharedservices.inputs import data

    councils, spending = data.councils(), data.spending()
    fits = scale.fit_services(councils, spending, YEAR,
                              ["central", "adult_social_care", "environmental_regulatory"])
    table = scale.coefficients(fits).set_index("service")
    assert (table["n"] > 100).all()
    assert np.isfinite(table[["elasticity", "se", "ci_low", "ci_high"]]).all().all()
    assert (table["ci_low"] < table["elasticity"]).all() and (table["elasticity"] < table["ci_high"]).all()
    gone = scale.left_out(fits)
    assert (gone["reason_code"] == "sui_generis").any()
    # every principal council of the model's classes is either used or listed
    for fit in fits.values():
        pool = councils[councils["class"].isin(fit.classes) & councils["principal"].astype(bool)]
        assert len(fit.data) + int((~fit.left_out["by_design"]).sum()) == len(pool)
