"""notebooks/20-savings-potential.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import ast
import io
import math

import nbformat
import pandas as pd
import pytest
from sharedservices import findings, params, paths

pytestmark = pytest.mark.xdist_group("nb20-savings-potential")

STEM = "20-savings-potential"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
RUN = {"year": "2010-11", "savings_multiplier": 1.5}
FIGURES = {"savings-by-class", "reach-curves", "reach-10-percent-core"}
TABLES = {"savings-by-class-tse", "savings-by-class-core", "net-savings-by-class-tse", "reach-10-percent-tse-table",
          "reach-10-percent-core-table", "savings-totals", "council-savings", "savings-evidence", "assumptions",
          "red-assumptions"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    cell = params.parameters_cell(NOTEBOOK)
    assert [(c.name, c.default, c.help) for c in cell] == [(s.name, s.default, s.help) for s in params.describe(STEM)]
    for c in code[1:]:
        kinds = {type(n).__name__ for n in ast.walk(ast.parse(c.source))}
        assert not kinds & {"For", "While", "ClassDef", "FunctionDef", "Lambda", "ListComp", "DictComp"}, c.source


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp_path_factory.mktemp("nb20") / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=RUN, kernel_name="sharedservices",
                        cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False)
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def h() -> dict:
    return findings.headlines(STEM, params.validate(STEM, RUN))


def _tagged(nb: nbformat.NotebookNode) -> list[dict]:
    return [o["metadata"]["sharedservices"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "sharedservices" in o.get("metadata", {})]


def _table(nb: nbformat.NotebookNode, name: str) -> pd.DataFrame:
    tag = next(t for t in _tagged(nb) if t["kind"] == "table" and t["name"] == name)
    return pd.read_csv(io.StringIO(tag["csv"]))


def test_outputs_present(executed) -> None:
    tags = _tagged(executed)
    assert tags[0]["kind"] == "key_findings"
    assert {t["name"] for t in tags if t["kind"] == "figure"} == FIGURES
    assert {t["name"] for t in tags if t["kind"] == "table"} == TABLES


def test_key_findings_and_headlines_are_the_model_s(executed, h) -> None:
    tags = _tagged(executed)
    text = " ".join(next(t for t in tags if t["kind"] == "key_findings")["lines"])
    expected = [
        f"{h['back_office_median_pct_of_tse']:.1f}%", "1.5 times the cited rates",
        f"NLGN's {h['nlgn_realistic_pct']:.1f}% realistic and {h['nlgn_best_case_pct']:.1f}% best case",
        f"{h['back_office_reach_10_tse_pct']:.0f}% of councils reach it with the back office alone",
        f"{h['broad_reach_10_tse_pct']:.0f}% adding adult and children's social care",
        f"{h['public_realm_reach_10_tse_pct']:.0f}% with the wider public realm (% of {h['councils']}",
        f"{h['broad_reach_10_core_pct']:.0f}% of councils with the broad programme",
        f"£{h['back_office_england_gbp_m']:,.0f}m", f"£{h['broad_england_gbp_m']:,.0f}m",
        f"{h['broad_rates_multiple_for_median_to_reach_10_tse']:.1f} times as high",
    ]
    missing = [e for e in expected if e not in text]
    assert not missing, (missing, text)
    recorded = {t["name"]: t["value"] for t in tags if t["kind"] == "headline"}
    assert len(recorded) >= 5
    for name, value in recorded.items():
        assert math.isclose(value, h[name], rel_tol=1e-9), (name, value, h[name])


def test_tables_agree_with_the_headlines(executed, h) -> None:
    reach = _table(executed, "reach-10-percent-tse-table").set_index("class")
    assert math.isclose(reach.loc["All", "broad"], h["broad_reach_10_tse_pct"])
    per_council = _table(executed, "council-savings")
    assert len(per_council) == h["councils"]
    assert math.isclose(per_council["back_office"].median(), h["back_office_median_pct_of_tse"])
    evidence = _table(executed, "savings-evidence")
    assert set(evidence["evidence"]) <= {"published estimate", "peer-reviewed study", "claim"}
    assert (evidence.loc[evidence["key"] == "savings_evidence.cpbs_planned_saving_rate", "evidence"] == "claim").all()
    red = _table(executed, "red-assumptions")
    assert "programmes.service.central.addressable_share" in set(red["key"])
