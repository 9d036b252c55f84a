"""reports.yaml: the published report set, validated before anything runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sharedservices import params
from sharedservices.display import NAME_PATTERN
from sharedservices.errors import InputError


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
            raise _fail(where, f"entry {i}: unknown key {sorted(unknown)[0]!r} "
                               "(allowed: name, title, notebook, parameters)")
        name = entry.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise _fail(where, f"entry {i}: name {name!r} is not a slug "
                               "(allowed: lower-case letters, digits, '-' and '_')")
        if name in seen:
            raise _fail(where, f"report {name!r}: the name is used twice (allowed: unique names)")
        seen.add(name)
        title = entry.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _fail(where, f"report {name!r}: title {title!r} is missing or empty")
        nb_rel = entry.get("notebook")
        if not isinstance(nb_rel, str) or not nb_rel.endswith(".ipynb"):
            raise _fail(where, f"report {name!r}: notebook {nb_rel!r} is not a path to an .ipynb file")
        nb = (root / nb_rel).resolve()
        if not nb.is_file():
            raise _fail(where, f"report {name!r}: notebook {nb_rel!r} does not exist")
        raw = entry.get("parameters") or {}
        if not isinstance(raw, dict):
            raise _fail(where, f"report {name!r}: parameters {raw!r} is not a mapping")
        try:
            validated = params.validate(nb, raw, check_councils=check_councils)
        except InputError as exc:
            raise _fail(where, f"report {name!r}: {exc}") from None
        out.append(Report(name=name, title=" ".join(title.split()), notebook=nb,
                          notebook_rel=nb_rel, parameters=validated, entry=dict(entry)))
    return out


def check_report(report: Report, where: str = "reports.yaml") -> None:
    """Full validation of one report's parameters, council look-ups included."""
    try:
        params.validate(report.notebook, report.entry.get("parameters") or {})
    except InputError as exc:
        raise _fail(where, f"report {report.name!r}: {exc}") from None


def load_reports(path: Path, root: Path | None = None,
                 check_councils: bool = True) -> list[Report]:
    """Read and validate ``reports.yaml`` (exit 2 naming the file on any problem)."""
    import yaml

    root = root or path.parent
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(path.name, f"cannot be read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" at line {line + 1}" if line is not None else ""
        raise _fail(path.name, f"is not valid YAML{at}") from None
    return parse_reports(data, root, path.name, check_councils)


def load_params_file(path: Path) -> dict[str, Any]:
    """Read a ``-f PARAMS.yaml`` file: a mapping of parameter names to values."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"parameter file {str(path)!r}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError:
        raise InputError(f"parameter file {str(path)!r}: is not valid YAML "
                         "(allowed: a mapping of name: value)") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(f"parameter file {str(path)!r}: is not a mapping of name: value")
    return data
