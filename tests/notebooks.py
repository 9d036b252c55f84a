"""Checks shared by the notebook tests (tests/test_nb*.py, test_data_overview.py, test_explorer.py).

A plain module, imported as ``from notebooks import ...``: pytest's default import mode puts
tests/ on ``sys.path`` (as for ``from conftest import ...``).  Three kinds of help:

- the committed notebook: no outputs, a ``parameters`` cell matching its schema, narrative
  code cells only (:func:`assert_committed`, which runs :func:`assert_committed_clean`,
  :func:`assert_parameters_cell_matches` and :func:`assert_narrative_only`);
- running it: :func:`execute` (papermill, kernel ``sharedservices``, cwd notebooks/);
- reading what it showed: the outputs tagged ``metadata["sharedservices"]``
  (:func:`tagged`, :func:`tagged_table`, :func:`key_findings_lines`,
  :func:`key_findings_text`, :func:`headlines`) and comparing them with the model
  (:func:`assert_tagged_outputs`, :func:`assert_quotes`, :func:`same`).
"""

from __future__ import annotations

import ast
import io
import json
import math
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from sharedservices.inputs import paths
from sharedservices.report import params

KERNEL = "sharedservices"

#: Syntax a narrative code cell may not contain: loops, classes, functions, comprehensions.
FORBIDDEN_SYNTAX = frozenset({
    "For", "AsyncFor", "While", "ClassDef", "FunctionDef", "AsyncFunctionDef", "Lambda",
    "ListComp", "DictComp", "SetComp", "GeneratorExp",
})


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The notebook's code cells, in order."""
    return [c for c in nb.cells if c.cell_type == "code"]


def assert_committed_clean(path: Path) -> nbformat.NotebookNode:
    """The committed notebook has no outputs or execution counts, runs on the
    ``sharedservices`` kernel and opens with a code cell tagged ``parameters``.

    Returns the notebook, for further checks.
    """
    nb = nbformat.read(path, as_version=4)
    code = code_cells(nb)
    assert all(c.outputs == [] and c.execution_count is None for c in code), path.name
    assert nb.metadata["kernelspec"]["name"] == KERNEL
    assert code[0].metadata.get("tags") == ["parameters"]
    return nb


def assert_parameters_cell_matches(path: Path, stem: str | None = None) -> None:
    """The parameters cell declares the schema's fields, in order, with its defaults and help."""
    cell = params.parameters_cell(path)
    spec = params.describe(stem or path.stem)
    assert [(c.name, c.default, c.help) for c in cell] == [(s.name, s.default, s.help) for s in spec]


def assert_narrative_only(path: Path) -> None:
    """No loops, classes, functions or comprehensions in the code cells after the parameters cell."""
    for c in code_cells(nbformat.read(path, as_version=4))[1:]:
        kinds = {type(n).__name__ for n in ast.walk(ast.parse(c.source))}
        assert not kinds & FORBIDDEN_SYNTAX, c.source


def assert_committed(path: Path, stem: str | None = None) -> nbformat.NotebookNode:
    """All three checks on a committed notebook: clean, parameters cell matching the schema
    of ``stem`` (default: the file's stem), narrative-only code cells.  Returns the notebook."""
    nb = assert_committed_clean(path)
    assert_parameters_cell_matches(path, stem)
    assert_narrative_only(path)
    return nb


def execute(path: Path, parameters: dict[str, Any] | None, tmp_dir: Path) -> nbformat.NotebookNode:
    """Run the notebook through papermill (kernel ``sharedservices``, cwd notebooks/) into
    ``tmp_dir`` and return the executed notebook."""
    import papermill as pm

    out = Path(tmp_dir) / path.name
    pm.execute_notebook(str(path), str(out), parameters=parameters, kernel_name=KERNEL,
                        cwd=str(paths.NOTEBOOKS_DIR), progress_bar=False)
    return nbformat.read(out, as_version=4)


def tagged(nb: nbformat.NotebookNode, kind: str | None = None) -> list[dict]:
    """The ``metadata["sharedservices"]`` tags of the notebook's outputs, in order
    (only those of ``kind`` when given: key_findings, headline, figure, table)."""
    tags = [o["metadata"]["sharedservices"] for c in code_cells(nb)
            for o in c.get("outputs", []) if "sharedservices" in o.get("metadata", {})]
    return tags if kind is None else [t for t in tags if t["kind"] == kind]


def tagged_table(nb: nbformat.NotebookNode, name: str) -> pd.DataFrame:
    """The table output tagged ``name``, read back from its CSV."""
    tag = next(t for t in tagged(nb, "table") if t["name"] == name)
    return pd.read_csv(io.StringIO(tag["csv"]))


def key_findings_lines(nb: nbformat.NotebookNode) -> list[str]:
    """The lines of the notebook's (first) key-findings output."""
    return tagged(nb, "key_findings")[0]["lines"]


def key_findings_text(nb: nbformat.NotebookNode) -> str:
    """The key findings as one string (lines joined by a space)."""
    return " ".join(key_findings_lines(nb))


def headlines(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The recorded headline numbers, name to value."""
    return {t["name"]: t["value"] for t in tagged(nb, "headline")}


def assert_tagged_outputs(nb: nbformat.NotebookNode, figures: set[str], tables: set[str]) -> None:
    """Key findings come first, then exactly these figures and tables."""
    tags = tagged(nb)
    assert tags[0]["kind"] == "key_findings"
    assert {t["name"] for t in tags if t["kind"] == "figure"} == figures
    assert {t["name"] for t in tags if t["kind"] == "table"} == tables


def assert_quotes(text: str, expected: list[str]) -> None:
    """Every expected phrase appears in ``text``."""
    missing = [e for e in expected if e not in text]
    assert not missing, f"key findings do not quote {missing}: {json.dumps(text)}"


def same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-9 relative (``None`` only equals ``None``).

    Examples
    --------
    >>> same(0.1 + 0.2, 0.3), same(None, 0.0), same(3, 3), same(True, False)
    (True, False, True, False)
    """
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
