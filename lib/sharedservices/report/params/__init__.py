"""Notebook parameter schemas: one pydantic model per notebook, registered by stem.

``run`` and ``build`` validate every parameter here before any kernel starts; the explorer
builds its widgets from the same schemas; ``python -m sharedservices params NOTEBOOK``
prints them.  Each notebook's first code cell (tagged ``parameters``) holds one line per
field, ``name: type = default  # help``, and a test checks that cell against the schema.

Adding a schema for a new notebook
----------------------------------
Create ``lib/sharedservices/report/params/nb<NN>_<topic>.py`` (every module in this package is
imported on first use, so nothing else needs editing)::

    from typing import Literal
    from pydantic import Field
    from sharedservices.report.params import NotebookParams, register

    @register("20-savings-potential")
    class SavingsPotentialParams(NotebookParams):
        year: Literal["2010-11", "2011-12"] = Field("2010-11", description="year of the service mix")
        savings_multiplier: float = Field(1.0, ge=0, le=3, description="multiplier on every cited rate")

A notebook that runs the scenario subclasses
:class:`~sharedservices.report.params.scenario_fields.ScenarioParams` instead, whose fields
(council, programme, horizon, multipliers ...) are made from
:data:`sharedservices.model.spec.SCENARIO`, so their ranges and help are written once.

Field types are ``int``, ``float``, ``str``, ``bool``, a ``Literal`` of strings (choices),
:data:`Council`, or any of these ``| None``.  Ranges use ``ge``/``le``; the ``description``
is the help text and must equal the ``# help`` comment in the notebook's parameters cell.
Types are strict (``"5"`` is not an int; an int is accepted for a float), NaN and infinity
are rejected, and unknown names are errors.
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import pkgutil
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, ValidationInfo

from sharedservices.errors import InputError, bad_parameter, cut, show
from sharedservices.model.spec import ParamSpec
from sharedservices.report.params import councils as _councils
from sharedservices.report.params.councils import find_council, select_councils

__all__ = [
    "Council",
    "NotebookParams",
    "check_notebook",
    "ParamSpec",
    "describe",
    "describe_schema",
    "find_council",
    "load",
    "parameters_cell",
    "parse_cli_value",
    "register",
    "registered",
    "schema_for",
    "select_councils",
    "validate",
    "validate_schema",
]

_REGISTRY: dict[str, type[NotebookParams]] = {}
_LOADED = False
#: Whether every schema module has been imported (a cache: see sharedservices.pipeline.leaks).
__cache_names__ = ("_LOADED",)
#: Values given on the command line that look like council codes stay strings.
CODE_PATTERN = re.compile(r"^E\d+$")


#: Longest council parameter accepted (no council's name is half as long; a 100 kB value
#: is not echoed or searched).
MAX_COUNCIL_TEXT = 80


def _check_council(value: str, info: ValidationInfo) -> str:
    if len(value) > MAX_COUNCIL_TEXT:
        raise InputError(f"council: {show(value)} is not a council code or name "
                         f"(allowed: {_councils.ALLOWED})")
    if (info.context or {}).get("skip_councils"):
        return value
    ecode = _councils.find_council(value)
    return value if CODE_PATTERN.match(value.strip().upper()) else ecode


#: A council parameter: a principal council's name (``Bristol``, case ignored, unique) or its
#: RS code (E0101) or ONS code (E06000022), checked against ``data/processed/councils.csv``
#: by :func:`sharedservices.report.params.councils.find_council`.  A code is kept as given; a
#: name becomes the council's RS code, so the notebook and the provenance get a code.
Council = Annotated[str, AfterValidator(_check_council), "council"]


class NotebookParams(BaseModel):
    """Base class of every notebook's parameter schema (strict, no unknown names)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False,
                              validate_default=False, frozen=True)


def register(stem: str):
    """Class decorator registering a schema for the notebook ``notebooks/<stem>.ipynb``.

    Examples
    --------
    >>> from pydantic import Field
    >>> @register("99-doctest-example")
    ... class Example(NotebookParams):
    ...     horizon: int = Field(10, ge=1, le=60, description="last model year")
    >>> validate("99-doctest-example", {"horizon": 12})
    {'horizon': 12}
    >>> _ = _REGISTRY.pop("99-doctest-example")
    """

    def deco(cls: type[NotebookParams]) -> type[NotebookParams]:
        old = _REGISTRY.get(stem)
        if old is not None and old.__qualname__ != cls.__qualname__:  # a reload may re-register
            raise ValueError(f"notebook {stem!r}: a parameter schema is already registered")
        _REGISTRY[stem] = cls
        return cls

    return deco


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    _LOADED = True


def registered() -> dict[str, type[NotebookParams]]:
    """All registered schemas, by notebook stem."""
    _load_all()
    return dict(_REGISTRY)


def _stem(notebook: str | Path) -> str:
    name = Path(str(notebook)).name
    return name[: -len(".ipynb")] if name.endswith(".ipynb") else name


def schema_for(notebook: str | Path) -> type[NotebookParams]:
    """Return the schema class for a notebook path or stem.

    Raises
    ------
    InputError
        No schema is registered for that notebook.

    Examples
    --------
    >>> schema_for("notebooks/00-data-overview.ipynb").__name__
    'DataOverviewParams'
    """
    _load_all()
    stem = _stem(notebook)
    try:
        return _REGISTRY[stem]
    except KeyError:
        raise InputError(
            f"notebook {stem!r}: no parameter schema registered "
            f"(allowed: {', '.join(sorted(_REGISTRY)) or 'none yet'}; "
            "add one under lib/sharedservices/report/params/)"
        ) from None


# ---------------------------------------------------------------------------------------
# Field descriptions


_TYPE_NAMES = {int: "int", float: "float", str: "str", bool: "bool"}


class CouncilSpec(ParamSpec):
    """A :data:`Council` field's description: allowed are names as well as codes.

    Examples
    --------
    >>> describe("30-payback-vs-cuts")[0].allowed()
    "a principal council's name such as Bristol, or an RS code such as E0101 or an ONS code such as E06000022; see data/processed/councils.csv"
    """

    def allowed(self) -> str:
        return _councils.ALLOWED + (" or None" if self.nullable else "")


def _spec(name: str, field) -> ParamSpec:
    ann = field.annotation
    nullable = False
    council = "council" in field.metadata or any(m == "council" for m in field.metadata)
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(ann))
        ann = args[0]
        origin = typing.get_origin(ann)
    if origin is Annotated:
        council = council or "council" in typing.get_args(ann)[1:]
        ann = typing.get_args(ann)[0]
        origin = typing.get_origin(ann)
    choices = None
    if origin is Literal:
        choices = typing.get_args(ann)
        type_name = _TYPE_NAMES[type(choices[0])]
    else:
        type_name = _TYPE_NAMES.get(ann, "str")
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return (CouncilSpec if council else ParamSpec)(name=name, type=type_name, default=field.default,
                     help=field.description or "", minimum=lo, maximum=hi, choices=choices,
                     nullable=nullable, council=council, unit=str(extra.get("unit", "")))


def describe(notebook: str | Path) -> list[ParamSpec]:
    """The notebook's parameters in schema order.

    Examples
    --------
    >>> [p.as_json()["name"] for p in describe("00-data-overview")]
    ['latest_year']
    """
    return describe_schema(schema_for(notebook))


def describe_schema(schema: type[BaseModel]) -> list[ParamSpec]:
    """The fields of any parameter schema, in order (the explorer builds widgets from these)."""
    return [_spec(n, f) for n, f in schema.model_fields.items()]


def defaults(notebook: str | Path) -> dict[str, Any]:
    """The schema's default values, by name."""
    return {p.name: p.default for p in describe(notebook)}


# ---------------------------------------------------------------------------------------
# Validation


def validate(notebook: str | Path, raw: dict[str, Any], *,
             check_councils: bool = True) -> dict[str, Any]:
    """Validate raw parameter values for a notebook; return them, defaults filled in.

    Parameters
    ----------
    notebook : str or Path
        Notebook path or stem (``"00-data-overview"``).
    raw : dict
        Parameter values as given (parsed from ``-p``, a YAML file or reports.yaml).
    check_councils : bool, default True
        Look council codes up in the processed councils table (loads pandas and the
        table).  The build skips this for reports whose inputs are unchanged, so that a
        build with nothing to do stays fast.

    Returns
    -------
    dict
        Every schema field, with the value given or its default.

    Raises
    ------
    InputError
        One line naming the parameter, the value and what is allowed.

    Examples
    --------
    >>> validate("00-data-overview", {"latest_year": "2012-13"})
    {'latest_year': '2012-13'}
    >>> validate("00-data-overview", {"latest_year": "1999-00"})
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: parameter 'latest_year': '1999-00' is not an allowed choice (allowed: one of 2010-11, 2011-12, 2012-13, 2013-14, 2014-15, 2017-18)
    """
    return validate_schema(schema_for(notebook), raw, check_councils=check_councils,
                           owner=f"notebook {_stem(notebook)!r}")


def validate_schema(schema: type[BaseModel], raw: dict[str, Any], *, check_councils: bool = True,
                    owner: str = "this schema") -> dict[str, Any]:
    """Validate ``raw`` against any parameter schema; the engine of :func:`validate`.

    Same rules and one-line messages as :func:`validate` (the explorer validates its
    controls through this, so the reports and the explorer refuse the same values with the
    same words).  ``owner`` names the schema in the message for an unknown name.
    """
    if not isinstance(raw, dict):
        raise InputError(f"parameters: {show(raw)} is not a mapping (allowed: name: value pairs)")
    specs = {p.name: p for p in describe_schema(schema)}
    for key, value in raw.items():
        if key not in specs:
            raise InputError(
                f"parameter {show(key)}: unknown for {owner} "
                f"(allowed: {', '.join(specs) or 'no parameters'})"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise bad_parameter(key, value, "is not a finite number", specs[key].allowed())
    try:
        model = schema.model_validate(raw, context={"skip_councils": not check_councils})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        value = raw.get(key, err.get("input"))
        spec = specs.get(key)
        allowed = spec.allowed() if spec else "see `python -m sharedservices params`"
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, InputError):
            text = str(cause)
            text = text[len(key) + 2:] if text.startswith(f"{key}: ") else text
            raise InputError(f"parameter {key!r}: {text}") from None
        kind = err["type"]
        if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
            what = "is out of range"
        elif kind == "literal_error":
            what = "is not an allowed choice"
        elif kind == "finite_number":
            what = "is not a finite number"
        else:
            what = f"has the wrong type ({type(value).__name__})"
        raise bad_parameter(key, value, what, allowed) from None
    return model.model_dump()


def load(notebook: str | Path, namespace: Mapping[str, Any]) -> NotebookParams:
    """A notebook's parameters, validated, from the variables its parameters cell defined.

    ``params.load("30-payback-vs-cuts", globals())`` picks the schema's fields out of the
    notebook's namespace (each must be there) and validates them as :func:`validate` does;
    the result is the frozen schema instance (a scenario notebook's has ``.scenario()``).

    Raises
    ------
    InputError
        A field missing from the namespace, or a value the schema does not allow.

    Examples
    --------
    >>> load("00-data-overview", {"latest_year": "2012-13", "other": 1}).latest_year
    '2012-13'
    """
    schema = schema_for(notebook)
    missing = [n for n in schema.model_fields if n not in namespace]
    if missing:
        raise InputError(f"notebook {_stem(notebook)!r}: parameter {missing[0]!r} is not defined "
                         "(allowed: the notebook's parameters cell defines every field of its schema)")
    values = validate(notebook, {n: namespace[n] for n in schema.model_fields})
    return schema.model_validate(values, context={"skip_councils": True})


#: Longest integer accepted on the command line (Python's own limit for reading one).
MAX_INT_DIGITS = 4300
_INTEGER = re.compile(r"^\s*[+-]?\d[\d_]*\s*$")


def parse_cli_value(text: str, name: str | None = None) -> Any:
    """Parse a ``-p NAME VALUE`` value as papermill does, keeping codes as strings.

    Raises
    ------
    InputError
        An integer of more than 4300 digits (Python would read it as infinity).

    Examples
    --------
    >>> [parse_cli_value(v) for v in ["12", "0.5", "True", "None", "E0101", "E06000022", "x"]]
    [12, 0.5, True, None, 'E0101', 'E06000022', 'x']
    >>> parse_cli_value("1" * 5000, "horizon")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: parameter 'horizon': 111111111111…111111111111 (5000 digits) is an integer too long to read (allowed: at most 4300 digits)
    """
    digits = sum(c.isdigit() for c in text)
    if digits > MAX_INT_DIGITS and _INTEGER.match(text):
        what = f"parameter {show(name)}: " if name is not None else ""
        t = text.strip()
        raise InputError(f"{what}{t[:12]}…{t[-12:]} ({digits} digits) is an integer too long "
                         f"to read (allowed: at most {MAX_INT_DIGITS} digits)")
    if CODE_PATTERN.match(text):
        return text
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    if text == "None":
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


# ---------------------------------------------------------------------------------------
# The notebook's parameters cell


@dataclass(frozen=True)
class CellParam:
    """One line ``name: type = default  # help`` of a notebook's parameters cell."""

    name: str
    type: str
    default: Any
    help: str


def parameters_cell(notebook_path: str | Path) -> list[CellParam]:
    """Parse the first code cell (tagged ``parameters``) of a notebook.

    Raises
    ------
    InputError
        The first code cell is not tagged ``parameters`` or a line is not
        ``name: type = default  # help``.
    """
    path = Path(notebook_path)
    nb = _read_notebook(path)
    cells = [c for c in nb["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
    meta = cells[0].get("metadata") if cells else None
    tags = meta.get("tags") if isinstance(meta, dict) else None
    if not isinstance(tags, list) or "parameters" not in tags:
        raise InputError(f"notebook {cut(str(path))!r}: the first code cell is not tagged "
                         "'parameters', so the values given would be ignored (allowed: a "
                         "notebook whose first code cell, its parameters, has the tag "
                         "'parameters')")
    src = cells[0].get("source", "")
    src = "".join(map(str, src)) if isinstance(src, list) else str(src)
    out = []
    for line in src.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        code, _, help_text = line.partition("#")
        try:
            node = ast.parse(code.strip()).body[0]
        except (SyntaxError, IndexError):
            node = None
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name) \
                or node.value is None:
            raise InputError(f"{path}: parameters line {show(line)} is not "
                             "'name: type = default  # help'")
        try:
            default = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            raise InputError(f"{path}: parameters line {show(line)}: the default is not a "
                             "literal (allowed: a number, text, True/False or None)") from None
        out.append(CellParam(name=node.target.id, type=ast.unparse(node.annotation),
                             default=default, help=help_text.strip()))
    return out


def _read_notebook(path: Path) -> dict[str, Any]:
    """The notebook's JSON; :class:`InputError` if it cannot be read or is not a notebook."""
    where = f"notebook {cut(str(path))!r}"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{where}: cannot be read ({exc.strerror or exc}) "
                         "(allowed: a path to an .ipynb file)") from None
    except UnicodeDecodeError:
        raise InputError(f"{where}: is not UTF-8 text (allowed: a Jupyter notebook, "
                         "JSON in UTF-8)") from None
    try:
        nb = json.loads(text)
    except ValueError as exc:
        line = f" at line {exc.lineno}" if hasattr(exc, "lineno") else ""
        raise InputError(f"{where}: is not valid JSON{line} (allowed: a Jupyter notebook; "
                         "was it saved completely?)") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InputError(f"{where}: is not a Jupyter notebook (allowed: JSON with a list "
                         "of 'cells')")
    return nb


def check_notebook(notebook_path: str | Path) -> list[CellParam]:
    """Check a notebook before it runs: valid JSON, first code cell tagged ``parameters``.

    Without the tag papermill would put the values given *before* the notebook's own
    defaults, which then silently win (while provenance still lists the values given).
    Returns the parameters cell (:func:`parameters_cell`).

    Raises
    ------
    InputError
        One line naming the notebook (exit 2).
    """
    return parameters_cell(notebook_path)
