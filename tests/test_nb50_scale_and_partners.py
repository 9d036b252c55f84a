"""notebooks/50-scale-and-partners.ipynb: committed clean, runs, quotes the model's numbers.

The notebook runs once (papermill, kernel ``sharedservices``) for Hammersmith & Fulham
with few candidates; its key findings and recorded headlines are checked against
:mod:`sharedservices.scale` and :mod:`sharedservices.partners` called here directly.
"""

from __future__ import annotations

import nbformat
import pytest
from sharedservices import data, findings, params, partners, paths, scale, tables
from sharedservices.errors import InputError

import notebooks

pytestmark = pytest.mark.xdist_group("nb50-scale-and-partners")

STEM = "50-scale-and-partners"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
PARAMS = {"council": "E5014", "year": "2011-12", "n_near": 2, "n_far": 2, "diagnostic_service": "central"}
FIGURES = {"scale-coefficients", "scale-residuals", "partner-savings"}
TABLES = {"scale-coefficients-table", "scale-influential-councils", "scale-left-out-by-reason",
          "scale-left-out-councils", "pooling-by-service", "candidate-partners", "assumptions"}


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
    councils, spending = data.councils(), data.spending()
    central = scale.fit_service(councils, spending, "central", PARAMS["year"])
    fits = scale.fit_services(councils, spending, PARAMS["year"])
    coefs = scale.coefficients(fits)
    pool = scale.pooling_table(central, (2,)).iloc[0]
    cand = partners.candidate_partners(PARAMS["council"], councils, spending, coefs, n_near=2, n_far=2)
    near = cand[cand["kind"] == "near"].iloc[0]
    far = cand[cand["kind"] == "far"].iloc[0]
    no_pop = scale.left_out(fits).query("reason_code == 'no_population'")["ecode"].nunique()
    lo, hi = central.ci

    text = notebooks.key_findings_text(executed)
    expected = [
        f"elasticity of {central.elasticity:.2f}", f"{lo:.2f} to {hi:.2f}",
        f"{int(central.result.nobs)} councils",
        f"a council 10% larger spends about {abs(100 * (1.1 ** central.elasticity - 1)):.1f}% less per head",
        f"would spend {pool['saving_pct']:.0f}% less",
        f"most similar near partner is {near['name']}",
        tables.saving_words(near["saving_gbp_thousand"] / 1000.0),
        tables.gbp_m_text(near["saving_low_gbp_thousand"] / 1000.0),
        f"most similar far partner, {far['name']}",
        tables.saving_words(far["saving_gbp_thousand"] / 1000.0),
        f"{no_pop} councils have no exact 2011 population",
    ]
    notebooks.assert_quotes(text, expected)

    recorded = notebooks.headlines(executed)
    assert recorded["central_elasticity"] == pytest.approx(central.elasticity, rel=1e-9)
    assert recorded["central_pool2_saving_pct"] == pytest.approx(pool["saving_pct"], rel=1e-9)
    assert recorded["near_saving_gbp_m"] == pytest.approx(near["saving_gbp_thousand"] / 1000.0, rel=1e-9)
    assert recorded["far_saving_gbp_m"] == pytest.approx(far["saving_gbp_thousand"] / 1000.0, rel=1e-9)
    assert recorded["councils_no_population"] == no_pop
    assert recorded["services_with_economies"] == int(
        (coefs[~coefs["service"].isin(scale.TOTAL_SERVICES)]["ci_high"] < 0).sum())
