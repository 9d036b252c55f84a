"""notebooks/10-front-loading.ipynb: committed clean, runs, and quotes the library's numbers."""

from __future__ import annotations

import ast
import io
import math

import nbformat
import pandas as pd
import pytest
from sharedservices import data, findings, params, paths, scenario

pytestmark = pytest.mark.xdist_group("nb10-front-loading")

STEM = "10-front-loading"
NOTEBOOK = paths.NOTEBOOKS_DIR / f"{STEM}.ipynb"
RUN = {"council_class": "L", "deflate": True}  # 33 London boroughs, two with no net cut
FIGURES = {"sr2010-vs-even", "central-funding-by-class", "front-loading-by-class", "service-change-by-class",
           "core-spending-by-class"}
TABLES = {"sr2010-vs-even-table", "central-funding-by-class-table", "front-loading-by-class-table",
          "front-loading-by-region-table", "councils-no-net-cut", "funding-breaks-by-class",
          "service-change-2017-18", "assumptions", "red-assumptions"}


def test_committed_without_outputs_and_with_the_parameters_cell() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert code[0].metadata.get("tags") == ["parameters"]
    cell = params.parameters_cell(NOTEBOOK)
    assert [(c.name, c.default, c.help) for c in cell] == [(s.name, s.default, s.help) for s in params.describe(STEM)]
    for c in code[1:]:  # narrative calls only: no loops, classes or functions
        kinds = {type(n).__name__ for n in ast.walk(ast.parse(c.source))}
        assert not kinds & {"For", "While", "ClassDef", "FunctionDef", "Lambda", "ListComp", "DictComp"}, c.source


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp_path_factory.mktemp("nb10") / "out.ipynb"
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
        f"{h['sr2010_real_cut_pct']:.0f}% in real terms", f"index is {h['sr2010_front_loading_index']:.2f}",
        f"of the {h['councils_with_net_cut']} London boroughs (of {h['councils']})",
        f"median index is {h['median_front_loading_index']:.2f}",
        f"{h['more_front_loaded_than_sr2010']} ({h['more_front_loaded_than_sr2010_pct']:.0f}%)",
        f"{h['councils_no_net_cut']} had no net cut", f"lost {h['median_real_cut_pct']:.0f}%",
        f"{h['central_funding_change_2014_15_pct']:+.0f}% by 2014-15",
        f"£{h['rollin_abg_gbp_m']:,.0f}m", f"£{h['retention_step_gbp_m']:,.0f}m",
        f"by {abs(h['largest_fall_pct']):.0f}%", f"{h['core_spending_change_pct']:+.0f}%",
    ]
    missing = [e for e in expected if e not in text]
    assert not missing, (missing, text)
    recorded = {t["name"]: t["value"] for t in tags if t["kind"] == "headline"}
    assert len(recorded) >= 5
    for name, value in recorded.items():
        assert math.isclose(value, h[name], rel_tol=1e-9), (name, value, h[name])


def test_tables_agree_with_the_model(executed) -> None:
    flt = scenario.front_loading_table(data.select_councils("L"))
    no_cut = _table(executed, "councils-no-net-cut")
    assert set(no_cut["ecode"]) == set(flt.loc[flt["front_loading_index"].isna(), "ecode"])
    assert (no_cut["front_loading_label"] == "no net cut").all() and len(no_cut) == 2
    by_class = _table(executed, "front-loading-by-class-table").set_index("class")
    assert list(by_class.index) == ["L", "All"]
    assert by_class.loc["L", "no_net_cut"] == 2
    assert math.isclose(by_class.loc["L", "index_median"], flt["front_loading_index"].median(), rel_tol=1e-9)
    sr = _table(executed, "sr2010-vs-even-table")
    assert math.isclose(sr["sr2010_index"].iloc[-1], sr["even_index"].iloc[-1])  # same total cut
    assert sr["sr2010_gap_pct_of_2010_11"].iloc[1] > sr["even_gap_pct_of_2010_11"].iloc[1]  # front-loaded
