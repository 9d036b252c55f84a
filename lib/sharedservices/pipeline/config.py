"""reports.yaml: the published report set, validated before anything runs.

reports.yaml and ``-f`` parameter files are read with :func:`sharedservices.inputs.yamlio.read_yaml`
(the loader the assumptions use): a duplicate key, an alias, an integer of over 4300
digits or a file that is not UTF-8 is refused with one line naming the file (exit 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sharedservices.errors import InputError, cut, show
from sharedservices.inputs.yamlio import YamlProblem, read_yaml
from sharedservices.report import params
from sharedservices.report.display import NAME_PATTERN

#: Names a report may not take: they are the build's own files and folders next to the
#: reports (``index.html``, ``adhoc/``, ``councils/``).  ``_failed``, ``_screens`` and
#: ``.staging`` cannot be slugs anyway.
RESERVED_NAMES: tuple[str, ...] = ("adhoc", "councils", "index")
#: The folder under reports/ that ``batch`` writes (one report per council).
COUNCILS_DIR = "councils"


@dataclass(frozen=True)
class Report:
    """One report to build.

    Attributes
    ----------
    name : str
        Slug, the file name under reports/ (``reports/NAME.html``).
    title : str
        Title shown in the report and the index.
    notebook : Path
        Absolute path of the notebook.
    notebook_rel : str
        The notebook path as written (relative to the project root).
    parameters : dict
        Validated parameters, defaults filled in.
    entry : dict
        The entry as written in reports.yaml (part of the report's fingerprint).
    """

    name: str
    title: str
    notebook: Path
    notebook_rel: str
    parameters: dict[str, Any]
    entry: dict[str, Any] = field(default_factory=dict)

    def entry_json(self) -> str:
        """Canonical JSON of the reports.yaml entry."""
        return json.dumps(self.entry, sort_keys=True, default=str)


def _fail(where: str, msg: str) -> InputError:
    return InputError(f"{where}: {msg}")


def parse_reports(data: Any, root: Path, where: str = "reports.yaml",
                  check_councils: bool = True) -> list[Report]:
    """Validate parsed reports.yaml content; return the reports in file order.

    With ``check_councils=False`` council codes are checked for form only; call
    :func:`check_report` before running a report.

    Raises
    ------
    InputError
        One line naming reports.yaml, the entry and what is wrong.
    """
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
        raise _fail(where, "top level must be a mapping with a list under 'reports'")
    out: list[Report] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["reports"], start=1):
        if not isinstance(entry, dict):
            raise _fail(where, f"entry {i} is not a mapping (allowed: name, title, notebook, parameters)")
        unknown = set(entry) - {"name", "title", "notebook", "parameters"}
        if unknown:
            raise _fail(where, f"entry {i}: unknown key {show(sorted(map(str, unknown))[0])} "
                               "(allowed: name, title, notebook, parameters)")
        name = entry.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise _fail(where, f"entry {i}: name {show(name)} is not a slug "
                               "(allowed: lower-case letters, digits, '-' and '_')")
        if name in RESERVED_NAMES:
            raise _fail(where, f"report {name!r}: the name is reserved for the build's own "
                               f"{'page' if name == 'index' else 'folder'} reports/{name}"
                               f"{'.html' if name == 'index' else '/'} (allowed: any other "
                               f"slug; reserved: {', '.join(RESERVED_NAMES)})")
        if name in seen:
            raise _fail(where, f"report {name!r}: the name is used twice (allowed: unique names)")
        seen.add(name)
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _fail(where, f"report {name!r}: title {show(title)} is missing or empty")
        nb_rel = entry.get("notebook")
        if not isinstance(nb_rel, str) or not nb_rel.endswith(".ipynb"):
            raise _fail(where, f"report {name!r}: notebook {show(nb_rel)} is not a path to an .ipynb file")
        nb = (root / nb_rel).resolve()
        if not nb.is_file():
            raise _fail(where, f"report {name!r}: notebook {show(nb_rel)} does not exist")
        raw = entry.get("parameters") or {}
        if not isinstance(raw, dict):
            raise _fail(where, f"report {name!r}: parameters {show(raw)} is not a mapping")
        try:
            validated = params.validate(nb, raw, check_councils=check_councils)
        except InputError as exc:
            raise _fail(where, f"report {name!r}: {exc}") from None
        out.append(Report(name=name, title=" ".join(title.split()), notebook=nb,
                          notebook_rel=nb_rel, parameters=validated, entry=dict(entry)))
    return out


def check_report(report: Report, where: str = "reports.yaml") -> None:
    """Full validation of one report before it runs: the notebook (valid JSON, a tagged
    parameters cell) and its parameters, council look-ups included."""
    try:
        params.check_notebook(report.notebook)
        params.validate(report.notebook, report.entry.get("parameters") or {})
    except InputError as exc:
        raise _fail(where, f"report {report.name!r}: {exc}") from None


def load_reports(path: Path, root: Path | None = None,
                 check_councils: bool = True) -> list[Report]:
    """Read and validate ``reports.yaml`` (exit 2 naming the file on any problem)."""
    root = root or path.parent
    try:
        data = read_yaml(path)
    except YamlProblem as exc:
        raise _fail(path.name, str(exc)) from None
    return parse_reports(data, root, path.name, check_councils)


def load_params_file(path: Path) -> dict[str, Any]:
    """Read a ``-f PARAMS.yaml`` file: a mapping of parameter names to values."""
    where = f"parameter file {cut(str(path))!r}"
    try:
        data = read_yaml(path)
    except YamlProblem as exc:
        text = str(exc)
        if text.startswith("is not valid YAML"):
            text += " (allowed: a mapping of name: value)"
        raise InputError(f"{where}: {text}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(f"{where}: is not a mapping of name: value")
    return data
