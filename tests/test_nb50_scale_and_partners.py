"""notebooks/50-scale-and-partners.ipynb: committed clean, runs, quotes the model's numbers.

The notebook runs once (papermill, kernel ``sharedservices``) for Hammersmith & Fulham
with few candidates; its key findings and recorded headlines are checked against
:mod:`sharedservices.model.scale` and :mod:`sharedservices.model.partners` called here directly.
"""

from __future__ import annotations

import functools

import nbformat
import pytest
from sharedservices.errors import InputError
from sharedservices.inputs import data, paths
from sharedservices.model import partners, scale
from sharedservices.report import findings, params, tables
from sharedservices.report import format as fmt
from sharedservices.report.findings import nb50_scale_and_partners as nb50

import notebooks

pytestmark = pytest.mark.xdist_group("nb50-scale-and-partners")

STEM = "50-scale-and-partners"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
PARAMS = {"council": "E5014", "year": "2011-12", "n_near": 2, "n_far": 2, "diagnostic_service": "central"}
FIGURES = {"scale-coefficients", "scale-by-class", "scale-residuals", "partner-savings", "match-by-distance"}
TABLES = {"scale-coefficients-table", "scale-coefficients-controlled", "scale-by-class-table",
          "scale-influential-councils", "scale-left-out-by-reason", "scale-left-out-councils",
          "geography-missing", "pooling-by-service", "pooling-central-by-class", "candidate-partners",
          "overlapping-councils", "match-distance-tests", "assumptions"}


def test_committed_without_outputs() -> None:
    notebooks.assert_committed(NOTEBOOK, STEM)
    assert [p.name for p in params.parameters_cell(NOTEBOOK)] == list(PARAMS)


def test_schema_refuses_bad_values() -> None:
    with pytest.raises(InputError, match="n_near"):
        params.validate(STEM, {"n_near": 0})
    with pytest.raises(InputError, match="year"):
        params.validate(STEM, {"year": "2009-10"})


def test_council_without_population_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no exact 2011 population"):
        findings.headlines(STEM, {**PARAMS, "council": "E3333"})  # Taunton Deane, merged after 2011


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return notebooks.execute(NOTEBOOK, PARAMS, tmp_path_factory.mktemp("nb50"))


def test_outputs_present(executed: nbformat.NotebookNode) -> None:
    notebooks.assert_tagged_outputs(executed, FIGURES, TABLES)


def test_key_findings_and_headlines_quote_the_model(executed: nbformat.NotebookNode) -> None:
    councils, spending, geography = data.councils(), data.spending(), data.geography()
    year = PARAMS["year"]
    central = scale.fit_service(councils, spending, "central", year)
    controlled = dict(controls=scale.ALL_CONTROLS, geography=geography, covariance="cluster")
    central_ctrl = scale.fit_service(councils, spending, "central", year, **controlled)
    by_class = scale.class_coefficients(scale.fit_services(councils, spending, year, slopes="by_class", **controlled))
    central_class = by_class[by_class["service"] == "central"]
    sd = central_class.set_index("class").loc["SD"]
    # partner savings price every service on its controlled common slope
    common = scale.class_coefficients(scale.fit_services(councils, spending, year, **controlled))
    assert (common.groupby("service")["elasticity"].nunique() == 1).all()
    cand = partners.candidate_partners(PARAMS["council"], councils, spending, common, n_near=2, n_far=2,
                                       geography=geography, near_km=50.0)
    near = cand[cand["kind"] == "near"].iloc[0]
    far = cand[cand["kind"] == "far"].iloc[0]
    no_pop = int((councils["principal"] & councils["population_2011"].isna()).sum())
    lo, hi = central.ci
    clo, chi = central_ctrl.ci

    h = findings.headlines(STEM, PARAMS)
    a = nb50.analysis(**PARAMS)
    lines = notebooks.key_findings_lines(executed)
    assert lines == [" ".join(x.split()) for x in nb50.finding_lines(h, a["class_coefficients"], a["match"]["tests"],
                                                                     year)]
    # the numbers in the prose are the model's, written by the formatting module (U+2212 minus)
    e = functools.partial(fmt.number, decimals=2)
    text = " ".join(lines)
    expected = [
        nb50.class_evidence_words(central_class),
        f"shire districts (elasticity {e(sd['elasticity'])}, 95% interval {e(sd['ci_low'])} to {e(sd['ci_high'])}, "
        f"{int(sd['n'])} councils)",
        f"{e(central_ctrl.elasticity)} ({e(clo)} to {e(chi)}) with the controls",
        f"{e(central.elasticity)} ({e(lo)} to {e(hi)}) without",
        f"most similar near partner (centre within 50 km) is {near['name']}, {near['distance_km']:.0f} km away",
        tables.saving_words(near["saving_gbp_thousand"] / 1000.0),
        tables.interval_words(near["saving_low_gbp_thousand"] / 1000.0, near["saving_high_gbp_thousand"] / 1000.0),
        f"far partner is {far['name']}, {far['distance_km']:.0f} km away",
        f"All {len(cand)} pairings shown" if cand["interval_includes_loss"].all() else
        f"{int(cand['interval_includes_loss'].sum())} of the {len(cand)} pairings shown",
        f"{no_pop} councils have no exact 2011 population",
    ]
    assert "-0." not in text and "(s)" not in text
    notebooks.assert_quotes(text, expected)

    recorded = notebooks.headlines(executed)
    assert recorded["central_elasticity"] == pytest.approx(central.elasticity, rel=1e-9)
    assert recorded["central_controlled_elasticity"] == pytest.approx(central_ctrl.elasticity, rel=1e-9)
    assert recorded["central_sd_elasticity"] == pytest.approx(sd["elasticity"], rel=1e-9)
    assert recorded["central_classes_with_economies"] == int((central_class["ci_high"] < 0).sum())
    assert recorded["near_saving_gbp_m"] == pytest.approx(near["saving_gbp_thousand"] / 1000.0, rel=1e-9)
    assert recorded["far_saving_gbp_m"] == pytest.approx(far["saving_gbp_thousand"] / 1000.0, rel=1e-9)
    assert recorded["pairs_interval_includes_loss"] == int((cand["saving_low_gbp_thousand"] < 0).sum())
    assert recorded["councils_no_population"] == no_pop
    coefs = scale.coefficients(scale.fit_services(councils, spending, year))
    assert recorded["services_with_economies"] == int(
        (coefs[~coefs["service"].isin(scale.TOTAL_SERVICES)]["ci_high"] < 0).sum())


def test_east_lindsey_is_never_paired_with_lincolnshire() -> None:
    """The issue's case: a district and its own county share residents."""
    h = findings.headlines(STEM, {**PARAMS, "council": "E2532", "n_near": 15, "n_far": 15})
    a = findings.nb50_scale_and_partners.analysis(council="E2532", year="2011-12", n_near=15, n_far=15,
                                                   diagnostic_service="central")
    assert "Lincolnshire CC" not in set(a["candidates"]["name"])
    assert a["overlap"]["name"].tolist() == ["Lincolnshire CC"]
    assert h["pairs_removed_overlap"] == 1


def test_key_findings_say_counts_and_missing_partners_in_words() -> None:
    h = findings.headlines(STEM, PARAMS)
    a = nb50.analysis(**PARAMS)
    none = {**h, "near_name": None, "pairs_interval_includes_loss": 0, "pairs_removed_overlap": 2}
    text = " ".join(nb50.finding_lines(none, a["class_coefficients"], a["match"]["tests"]))
    assert "there is no near candidate (centre within 50 km)" in text
    assert f"None of the {h['pairs_shown']} pairings shown has" in text
    assert "2 councils whose residents overlap" in text and "are never candidates" in text
    assert "The most similar far partner is" in text and "pooling every service line but education" in text
