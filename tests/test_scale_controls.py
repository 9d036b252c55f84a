"""Issue 12, point 4: density and deprivation controls, clustered errors, one slope per class.

Expected values are derived by hand on small synthetic data (numpy least squares, a
cluster sandwich written out here), or from the data by an independent route.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import data
from sharedservices.inputs.importers import geography as geo_importer
from sharedservices.model import scale

YEAR = "2011-12"


def synthetic(n_per_class: int = 12, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Districts (in three counties, with their county councils) and unitaries; spending per
    head = exp(0.3 log density + 0.02 IMD) × P^b, b = -0.4 for districts, -0.1 for unitaries,
    small noise; counties follow the district slope."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(3):
        rows.append({"cls": "SC", "name": f"Shire{k} CC", "county": None, "region": ["N", "S", "E"][k]})
        rows += [{"cls": "SD", "name": f"D{k}{i}", "county": f"Shire{k} CC", "region": ["N", "S", "E"][k]}
                 for i in range(n_per_class)]
    rows += [{"cls": "UA", "name": f"U{i}", "county": None, "region": ["N", "S", "E"][i % 3]}
             for i in range(n_per_class)]
    c = pd.DataFrame(rows).rename(columns={"cls": "class"})
    n = len(c)
    c.insert(0, "ecode", [f"E{i:04d}" for i in range(n)])
    c.insert(1, "ons_code", [f"E0{i:07d}" for i in range(n)])
    pop = np.exp(rng.uniform(np.log(5e4), np.log(5e5), n))
    for k in range(3):
        pop[c.index[c["name"] == f"Shire{k} CC"][0]] = pop[(c["county"] == f"Shire{k} CC").to_numpy()].sum()
    c["population_2011"] = pop
    c["population_source"] = "census"
    c["principal"] = True
    area = np.exp(rng.uniform(np.log(20), np.log(2000), n))
    imd = rng.uniform(5, 40, n)
    g = pd.DataFrame({"ecode": c["ecode"], "area_km2": area, "imd2010_score": imd,
                      "geography_basis": "own row", "deprivation_basis": "own"})
    b = np.where(c["class"] == "UA", -0.1, -0.4)
    log_pc = 0.3 * np.log(pop / area) + 0.02 * imd + b * np.log(pop) + rng.normal(0, 0.05, n)
    s = pd.DataFrame({"ecode": c["ecode"], "year": YEAR, "service": "central",
                      "gbp_thousand": np.exp(log_pc) * pop / 1000.0})
    return c, s, g


def test_controls_recover_the_slopes_that_generated_the_data() -> None:
    councils, spending, geography = synthetic()
    fit = scale.fit_service(councils, spending, "central", YEAR, controls=scale.ALL_CONTROLS,
                            geography=geography, slopes="by_class", covariance="cluster")
    assert fit.coef("SD") == pytest.approx(-0.4, abs=0.05)
    assert fit.coef("UA") == pytest.approx(-0.1, abs=0.05)
    assert fit.result.params["log_density"] == pytest.approx(0.3, abs=0.03)
    assert fit.result.params["imd2010_score"] == pytest.approx(0.02, abs=0.005)


def test_by_class_slopes_equal_a_hand_built_least_squares_fit() -> None:
    councils, spending, geography = synthetic()
    fit = scale.fit_service(councils, spending, "central", YEAR, controls=("class", "density"),
                            geography=geography, slopes="by_class")
    d = fit.data
    logp = d["log_population"].to_numpy()
    cls = d["class"].to_numpy()
    # intercept, class dummies (reference: the most frequent class, SD), log density, one slope per class
    x = np.column_stack([np.ones(len(d)), cls == "SC", cls == "UA", d["log_density"],
                         logp * (cls == "SC"), logp * (cls == "SD"), logp * (cls == "UA")]).astype(float)
    beta, *_ = np.linalg.lstsq(x, d["log_spend_per_head"].to_numpy(), rcond=None)
    assert fit.coef("SC") == pytest.approx(beta[4], rel=1e-8)
    assert fit.coef("SD") == pytest.approx(beta[5], rel=1e-8)
    assert fit.coef("UA") == pytest.approx(beta[6], rel=1e-8)


def test_cluster_errors_equal_a_sandwich_written_out() -> None:
    """CR1: (X'X)^-1 (sum_g X_g'u_g u_g'X_g) (X'X)^-1 × G/(G-1) × (n-1)/(n-k)."""
    councils, spending, geography = synthetic()
    fit = scale.fit_service(councils, spending, "central", YEAR, controls=("class",),
                            geography=geography, covariance="cluster")
    d = fit.data
    cls = d["class"].to_numpy()
    x = np.column_stack([np.ones(len(d)), cls == "SC", cls == "UA", d["log_population"]]).astype(float)
    y = d["log_spend_per_head"].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    u = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    groups = d["cluster"].to_numpy()
    meat = sum(np.outer(x[groups == g].T @ u[groups == g], x[groups == g].T @ u[groups == g])
               for g in np.unique(groups))
    n, k, big_g = len(d), x.shape[1], len(np.unique(groups))
    cov = bread @ meat @ bread * big_g / (big_g - 1) * (n - 1) / (n - k)
    assert fit.se() == pytest.approx(np.sqrt(cov[3, 3]), rel=1e-8)
    assert fit.n_clusters == big_g == 3 + 12  # three county areas (county + its districts) and 12 unitaries


def test_a_county_and_its_districts_form_one_cluster() -> None:
    councils, _, _ = synthetic()
    areas = scale.county_areas(councils).set_index("ecode")["cluster"]
    county = councils.loc[councils["name"] == "Shire1 CC", "ecode"].iloc[0]
    districts = councils.loc[councils["county"] == "Shire1 CC", "ecode"]
    assert set(areas[districts]) == {county} and areas[county] == county
    unitaries = councils.loc[councils["class"] == "UA", "ecode"]
    assert (areas[unitaries] == unitaries.to_numpy()).all()


def test_clustering_changes_errors_but_not_estimates() -> None:
    councils, spending, geography = synthetic()
    hc3 = scale.fit_service(councils, spending, "central", YEAR)
    cl = scale.fit_service(councils, spending, "central", YEAR, covariance="cluster")
    assert cl.elasticity == pytest.approx(hc3.elasticity, rel=1e-12)
    assert cl.se() != pytest.approx(hc3.se(), rel=1e-3)


def test_a_council_without_a_control_value_is_listed_not_dropped() -> None:
    councils, spending, geography = synthetic()
    gone = councils["ecode"].iloc[5]
    geography.loc[geography["ecode"] == gone, ["area_km2"]] = np.nan
    geography.loc[geography["ecode"] == gone, "geography_basis"] = "missing: test"
    fit = scale.fit_service(councils, spending, "central", YEAR, controls=scale.ALL_CONTROLS, geography=geography)
    row = fit.left_out.set_index("ecode").loc[gone]
    assert row["reason_code"] == "no_area" and "missing: test" in row["reason"]
    assert gone not in set(fit.data["ecode"])
    assert len(fit.data) + int((~fit.left_out["by_design"]).sum()) == len(councils)


def test_bad_model_choices_are_one_line_input_errors() -> None:
    councils, spending, geography = synthetic()
    with pytest.raises(InputError, match="slopes: 'per_council' not allowed"):
        scale.fit_service(councils, spending, "central", YEAR, slopes="per_council")
    with pytest.raises(InputError, match="covariance: 'HC1' not allowed"):
        scale.fit_service(councils, spending, "central", YEAR, covariance="HC1")
    with pytest.raises(InputError, match="geography: none given"):
        scale.fit_service(councils, spending, "central", YEAR, controls=("class", "density"))
    fit = scale.fit_service(councils, spending, "central", YEAR, slopes="by_class")
    with pytest.raises(InputError, match="cls: 'MD' has no slope"):
        fit.coef("MD")


def test_pooling_moves_each_council_along_its_own_class_slope() -> None:
    # 100 at 1e5 residents with b=-0.2, 300 at 3e5 with b=0: pooled = 100 * 4^-0.2 + 300
    s = scale.pooling_saving([100.0, 300.0], [1e5, 3e5], [-0.2, 0.0], ci=([-0.3, -0.1], [-0.1, 0.1]))
    assert s.saving_gbp_thousand == pytest.approx(100 * (1 - 4 ** -0.2))
    assert s.saving_high_gbp_thousand == pytest.approx(100 * (1 - 4 ** -0.3) + 300 * (1 - (4 / 3) ** -0.1))
    assert s.saving_low_gbp_thousand == pytest.approx(100 * (1 - 4 ** 0.1 * 4 ** -0.2) + 300 * (1 - (4 / 3) ** 0.1))


def test_evidence_words_follow_the_interval() -> None:
    assert [scale.evidence(lo, hi) for lo, hi in ((-1, -0.01), (-1, 0.0), (0.01, 1))] == [
        "economies", "not_supported", "diseconomies"]


# --------------------------------------------------------------------------- the real data


def test_geography_covers_every_principal_council_and_says_why_when_blank() -> None:
    g = data.geography()
    c = data.councils()
    principal = c[c["principal"]]
    assert set(g["ecode"]) == set(principal["ecode"])
    blank = g[g["area_km2"].isna()]
    assert blank["geography_basis"].str.startswith("missing:").all()
    # every council without a centre also lacks an exact 2011 population (so none is dropped from a fit by it)
    pop = principal.set_index("ecode")["population_2011"]
    assert pop.reindex(blank["ecode"]).isna().all()


def test_county_areas_built_from_districts_match_the_sources_own_county_rows() -> None:
    """Independent route: the source's own county areas (not used) against the sums built here."""
    own = {"E2520": 5937.0, "E2221": 3544.0, "E2721": 8037.0, "E3520": 3800.0, "E2321": 2894.0}  # source rows, km²
    g = data.geography().set_index("ecode")
    for ecode, area in own.items():
        assert g.loc[ecode, "area_km2"] == pytest.approx(area, abs=2.0)


def test_county_centres_lie_among_their_districts() -> None:
    g = data.geography().set_index("ecode")
    c = data.councils()
    for _, county in c[c["class"] == "SC"].iterrows():
        if pd.isna(g.loc[county["ecode"], "easting_m"]):
            continue
        ds = g.loc[c.loc[c["county"] == county["name"], "ecode"]].dropna(subset=["easting_m"])
        if ds.empty:
            continue
        x, y = g.loc[county["ecode"], ["easting_m", "northing_m"]]
        assert ds["easting_m"].min() <= x <= ds["easting_m"].max(), county["name"]
        assert ds["northing_m"].min() <= y <= ds["northing_m"].max(), county["name"]


def test_importer_derivation_reproduces_the_committed_table(tmp_path) -> None:
    """When the two source repositories are on this machine, the committed CSV is what
    the importer derives from them (the census table from RAW_DIR)."""
    import subprocess

    from sharedservices.inputs import paths
    from sharedservices.inputs.importers import population

    mys = paths.ROOT.parent / ".mirror" / "mysociety+uk_local_authority_names_and_codes" / "repo"
    imd = paths.ROOT.parent / ".mirror" / "humaniverse+IMD" / "repo"
    census = paths.raw_dir() / "population" / "census_population_2011_2021_by_LAD2021_EW.csv"
    if not (mys.is_dir() and imd.is_dir() and census.is_file()):
        pytest.skip("source repositories or RAW_DIR census table not on this machine")
    la, scores = tmp_path / "la.csv", tmp_path / "imd.csv"
    for repo, spec, out in ((mys, "67ef8b118938678401a452f4f19f669a7221cc73:data/uk_local_authorities.csv", la),
                            (imd, "fa0bf11491e9d7697f37d677f301b43089540fca:data-raw/imd2010_lad21_england.csv", scores)):
        out.write_bytes(subprocess.run(["git", f"--git-dir={repo}", "show", spec], check=True,
                                       capture_output=True).stdout)
    table = geo_importer.derive(data.councils(), geo_importer.read_mysociety(la), geo_importer.read_imd(scores),
                                population.read_census(census))
    written = tmp_path / "g.csv"
    geo_importer.write(table, written)
    assert written.read_bytes() == (data.external_dir() / data.GEOGRAPHY_FILE).read_bytes()


def test_real_data_district_slope_excludes_zero_and_other_classes_do_not() -> None:
    """The issue's finding, with the controls: districts alone carry the economy of scale."""
    c, s, g = data.councils(), data.spending(), data.geography()
    fit = scale.fit_service(c, s, "central", YEAR, controls=scale.ALL_CONTROLS, geography=g,
                            slopes="by_class", covariance="cluster")
    t = scale.class_coefficients(fit).set_index("class")
    assert t.loc["SD", "ci_high"] < 0
    assert (t.loc[["SC", "UA", "MD", "L"], "ci_low"] < 0).all()
    assert (t.loc[["SC", "UA", "MD", "L"], "ci_high"] > 0).all()
    assert t.loc["SD", "n"] == int(((fit.data["class"] == "SD")).sum())
