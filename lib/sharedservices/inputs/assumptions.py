"""Cited, rated assumptions: the only home of policy numbers.

Every number the model uses by default that is not in the processed tables lives in a
``data/assumptions/*.yaml`` file (directory from :func:`sharedservices.inputs.paths.assumptions_dir`,
so ``SHAREDSERVICES_ASSUMPTIONS_DIR`` redirects it for tests).  Each file has a ``title``,
an optional ``description`` and a ``values`` mapping; each value is a record::

    back_office_realistic:
      value: 0.018                      # number, text, list or mapping
      unit: fraction of total service expenditure
      price_base: null                  # required where the unit is money
      source:
        title: "NLGN, Shared Necessities (2011)"
        url: https://www.newlocal.org.uk/publications/shared-necessities-the-next-generation-of-shared-services/
      quality: green                    # green | amber | red
      quality_note: one line on why
      note: optional longer note

A source is a title plus a well-formed http(s) URL, or the words ``suite assumption``
(written either as ``source: suite assumption`` or as a mapping with that title and no
URL), in which case the rating must be red.  Anything else stops the load with a
:class:`~sharedservices.errors.DataError` naming the file and the key (exit code 2).

Values are addressed as ``"file.key"``, where ``file`` is the YAML file's stem, e.g.
``"savings_evidence.back_office_realistic"`` or ``"programmes.service.central.savings_rate"``
(keys may themselves contain dots; the file is everything before the first dot).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "demo.yaml").write_text('''
... title: Demo
... values:
...   rate:
...     value: 0.035
...     unit: fraction per year
...     source: {title: HM Treasury Green Book, url: "https://www.gov.uk/green-book"}
...     quality: green
...     quality_note: published guidance
... ''')
>>> values = load_all(d)
>>> values["demo.rate"].value
0.035
>>> values["demo.rate"].source_url
'https://www.gov.uk/green-book'
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from sharedservices.errors import DataError, InputError
from sharedservices.inputs import paths
from sharedservices.inputs.yamlio import YamlProblem, read_yaml

__all__ = [
    "ARCHIVED_PRIMARIES",
    "Recording",
    "cached",
    "keys",
    "matching",
    "recording",
    "NON_PRIMARY_HOSTS",
    "SUITE_ASSUMPTION",
    "Assumption",
    "NonPrimaryCitation",
    "citation",
    "clear_cache",
    "files",
    "format_value",
    "unit_as_shown",
    "get",
    "is_money_unit",
    "keys_in_file",
    "listed_host",
    "load_all",
    "non_primary_citations",
    "render_markdown",
    "update_readme",
    "table",
    "url_host",
    "urls_in",
    "value",
]

#: The words that mark a value as the suite's own assumption rather than a cited figure.
SUITE_ASSUMPTION = "suite assumption"

Quality = Literal["green", "amber", "red"]

_MONEY_UNIT = re.compile(r"£|\bgbp|\bpounds?\b|\bsterling\b", re.IGNORECASE)
_RATIO_UNIT = re.compile(
    r"^\s*(fraction|share|probability|ratio|multiple|index|relative|years?|date|service slugs)\b",
    re.IGNORECASE,
)
_URL = TypeAdapter(HttpUrl)


def is_money_unit(unit: str) -> bool:
    """Whether a unit string denotes money (and so needs a ``price_base``).

    Parameters
    ----------
    unit : str
        The record's ``unit``.

    Returns
    -------
    bool
        True where the unit mentions pounds (``£``, ``GBP``, ``pounds``, ``sterling``) and
        does not open as a ratio ("fraction of ...", "multiple of ...", "index ...",
        "years ...") whose explanation merely mentions money.

    Examples
    --------
    >>> is_money_unit("£bn per year"), is_money_unit("GBP m"), is_money_unit("index, 2010-11 = 100")
    (True, True, False)
    >>> is_money_unit("fraction of net budget (£1.8m on £20m)")
    False
    """
    return bool(_MONEY_UNIT.search(unit)) and not _RATIO_UNIT.match(unit)


# --------------------------------------------------------------------------------------
# Validation schema (pydantic)
# --------------------------------------------------------------------------------------


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    url: str | None = None

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("source title is blank")
        return v.strip()

    @model_validator(mode="after")
    def _url_or_suite(self) -> _Source:
        if self.title.lower() == SUITE_ASSUMPTION:
            if self.url:
                raise ValueError(f"source {SUITE_ASSUMPTION!r} takes no url")
            return self
        if not self.url:
            raise ValueError(
                f"source {self.title!r} has no url (allowed: a well-formed http(s) URL, "
                f"or the words {SUITE_ASSUMPTION!r})"
            )
        url = self.url.strip()
        if url.endswith("...") or "\u2026" in url:
            raise ValueError(f"source url {url!r} is truncated (allowed: the full address)")
        if not re.match(r"^https?://[^\s/]+\.[^\s/]+", url) or re.search(r"\s", url):
            raise ValueError(f"source url {url!r} is not a well-formed http(s) URL")
        try:
            _URL.validate_python(url)
        except ValidationError as exc:
            raise ValueError(f"source url {url!r} is not a well-formed http(s) URL") from exc
        return self


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any
    unit: str = Field(min_length=1)
    price_base: str | None = None
    source: _Source
    quality: Quality
    quality_note: str = Field(min_length=1)
    note: str | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _source_words(cls, v: Any) -> Any:
        if isinstance(v, str):
            if v.strip().lower() == SUITE_ASSUMPTION:
                return {"title": SUITE_ASSUMPTION}
            raise ValueError(
                f"source {v!r} must be a mapping with title and url, or the words "
                f"{SUITE_ASSUMPTION!r}"
            )
        return v

    @field_validator("value")
    @classmethod
    def _value_kind(cls, v: Any) -> Any:
        _check_value(v, top=True)
        return v

    @field_validator("unit", "quality_note")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("is blank")
        if "\n" in v.strip():
            raise ValueError("must be one line")
        return v.strip()

    @model_validator(mode="after")
    def _rules(self) -> _Record:
        if self.source.title.lower() == SUITE_ASSUMPTION and self.quality != "red":
            raise ValueError(
                f"quality {self.quality!r} with source {SUITE_ASSUMPTION!r} "
                "(allowed: red — a suite assumption is always rated red)"
            )
        if is_money_unit(self.unit) and not (self.price_base and self.price_base.strip()):
            raise ValueError(
                f"unit {self.unit!r} is money but price_base is missing "
                "(allowed: e.g. 'cash' or '2010-11 prices')"
            )
        return self


def _check_value(v: Any, *, top: bool = False) -> None:
    """Allowed values: finite numbers, text, lists and string-keyed mappings of those."""
    if v is None:
        if top:
            raise ValueError("value is missing (allowed: a number, text, list or mapping)")
        return  # nulls inside a table, e.g. 'no figure given by the guidance'
    if isinstance(v, bool):
        raise ValueError(f"value {v!r} is a boolean (allowed: a number, text, list or mapping)")
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"value {v!r} is not finite")
        return
    if isinstance(v, str):
        if not v.strip():
            raise ValueError("value is blank text")
        return
    if isinstance(v, list):
        if top and not v:
            raise ValueError("value is an empty list")
        for item in v:
            _check_value(item)
        return
    if isinstance(v, dict):
        if top and not v:
            raise ValueError("value is an empty mapping")
        for k, item in v.items():
            if not isinstance(k, str):
                raise ValueError(f"mapping key {k!r} is not text (quote it in the YAML)")
            _check_value(item)
        return
    raise ValueError(f"value of type {type(v).__name__} (allowed: a number, text, list or mapping)")


_RECORD_FIELDS = tuple(_Record.model_fields)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    description: str | None = None
    values: dict[str, Any]


_FILE_FIELDS = tuple(_File.model_fields)


# --------------------------------------------------------------------------------------
# Public record
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumption:
    """One cited, rated value.

    Attributes
    ----------
    key : str
        ``"file.key"``, e.g. ``"sr2010.real_terms_cut"``.
    value : Any
        A number, text, list or mapping, exactly as in the YAML (units in ``unit``).
    unit : str
        What the number measures, with its basis (e.g. "fraction of total service
        expenditure").
    price_base : str or None
        Price basis where the unit is money ("cash", "2010-11 prices"), else None.
    source_title, source_url : str, str or None
        The citation; ``source_url`` is None for a suite assumption.
    quality : {"green", "amber", "red"}
        Rating; always "red" for a suite assumption.
    quality_note : str
        One line on why the rating.
    note : str or None
        Longer note (calibration arithmetic, alternatives).
    file : str
        The YAML file name the value came from.
    """

    key: str
    value: Any
    unit: str
    price_base: str | None
    source_title: str
    source_url: str | None
    quality: str
    quality_note: str
    note: str | None
    file: str

    @property
    def is_suite_assumption(self) -> bool:
        """True where the value is the suite's own assumption (no published source)."""
        return self.source_title.lower() == SUITE_ASSUMPTION


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    """Parse one assumptions file with the suite's YAML loader (:mod:`sharedservices.inputs.yamlio`).

    Duplicate keys, over-long integers and text that is not UTF-8 are refused; aliases
    are allowed (records share a source that way) but the file, aliases expanded, may hold
    at most ``yamlio.MAX_EXPANDED_NODES`` values, so a "billion laughs" file is refused at
    once instead of being walked by validation (and again in every kernel).
    """
    return read_yaml(path, allow_aliases=True)


def _one_line(exc: ValidationError, allowed: tuple[str, ...]) -> str:
    """Pydantic's errors as one line, in the words of the file format."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p not in ("function-after",))
        if err["type"] == "missing":
            msg = "missing (required)"
        elif err["type"] == "extra_forbidden":
            msg = f"unknown field (allowed: {', '.join(allowed)})"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _load_file(path: Path) -> dict[str, Assumption]:
    name = path.name
    stem = path.stem
    if not re.fullmatch(r"[a-z][a-z0-9_]*", stem):
        raise DataError(
            f"{name}: file name {stem!r} is not allowed (allowed: lower-case letters, digits, _)"
        )
    try:
        raw = _read_yaml(path)
    except YamlProblem as exc:  # "is not valid YAML at line 3 (...)", "duplicate key ..."
        raise DataError(f"{name}: {exc}") from None
    if not isinstance(raw, dict):
        raise DataError(
            f"{name}: expected a mapping with 'title' and 'values', got {type(raw).__name__}"
        )
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"{name}: {_one_line(exc, _FILE_FIELDS)}") from exc
    if not parsed.values:
        raise DataError(f"{name}: 'values' is empty (allowed: at least one value)")
    out: dict[str, Assumption] = {}
    for key, rec in parsed.values.items():
        full = f"{stem}.{key}"
        if not isinstance(rec, dict):
            raise DataError(
                f"{name}: key {key!r}: expected a record with value, unit, source, quality"
            )
        try:
            r = _Record.model_validate(rec)
        except ValidationError as exc:
            raise DataError(f"{name}: key {key!r}: {_one_line(exc, _RECORD_FIELDS)}") from exc
        is_suite = r.source.title.lower() == SUITE_ASSUMPTION
        out[full] = Assumption(
            key=full,
            value=r.value,
            unit=r.unit,
            price_base=r.price_base,
            source_title=SUITE_ASSUMPTION if is_suite else r.source.title,
            source_url=None if is_suite else (r.source.url or "").strip(),
            quality=r.quality,
            quality_note=r.quality_note,
            note=r.note.strip() if r.note else None,
            file=name,
        )
    return out


@dataclass
class _Loaded:
    names: tuple[str, ...]
    stamp: tuple[int | tuple[int, int, int], ...]
    values: dict[str, Assumption]
    hashes: dict[str, str]


#: Loaded directories, keyed by absolute path.  A hit is re-validated on every call with a
#: few ``os.stat`` calls (the directory and each file: modification time, change time,
#: size), so an edited, added or removed file is re-read, and a hit costs ~20 microseconds.
_CACHE: dict[str, _Loaded] = {}


def _stamp(directory: str, names: tuple[str, ...]) -> tuple[int | tuple[int, int, int], ...]:
    out: list[int | tuple[int, int, int]] = [os.stat(directory).st_mtime_ns]
    for name in names:
        st = os.stat(os.path.join(directory, name))
        out.append((st.st_mtime_ns, st.st_ctime_ns, st.st_size))
    return tuple(out)


def _load_dir(directory: Path | str | None) -> tuple[dict[str, Assumption], dict[str, str]]:
    d = os.path.abspath(os.fspath(directory if directory is not None else paths.assumptions_dir()))
    hit = _CACHE.get(d)
    if hit is not None:
        try:
            if _stamp(d, hit.names) == hit.stamp:
                return hit.values, hit.hashes
        except OSError:
            pass
    if not os.path.isdir(d):
        raise DataError(
            f"assumptions directory {d!r} does not exist "
            "(set SHAREDSERVICES_ASSUMPTIONS_DIR or restore data/assumptions)"
        )
    names = tuple(sorted(n for n in os.listdir(d) if n.endswith(".yaml")))
    if not names:
        raise DataError(f"assumptions directory {d!r} holds no *.yaml files")
    stamp = _stamp(d, names)  # taken before reading: a later edit shows up next call
    values: dict[str, Assumption] = {}
    hashes: dict[str, str] = {}
    for name in names:
        path = Path(d) / name
        hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        values.update(_load_file(path))
    _CACHE[d] = _Loaded(names, stamp, values, hashes)
    return values, hashes


def clear_cache() -> None:
    """Forget every loaded directory (the cache also refreshes itself when a file changes)
    and every value derived from them by a :func:`cached` function."""
    _CACHE.clear()
    for memo in _MEMOS:
        memo.clear()


# --------------------------------------------------------------------------------------
# Recording what a run reads
# --------------------------------------------------------------------------------------


class Recording:
    """The assumption keys served while it is active, in the order first read.

    Every key :func:`get` (and so :func:`value`, :func:`citation`, :func:`matching`) serves is
    noted by every active recording, and a :func:`cached` function notes again, on every
    call, the keys its first computation read; so a recording holds exactly what was read
    between :meth:`start` and :meth:`stop`, however warm the caches were.  A report shows
    ``table(recording)`` as the assumptions it used.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "demo.yaml").write_text(
    ...     "title: Demo\\nvalues:\\n  a:\\n    value: 1\\n    unit: years\\n    source: suite assumption\\n"
    ...     "    quality: red\\n    quality_note: judgement\\n  b:\\n    value: 2\\n    unit: years\\n"
    ...     "    source: suite assumption\\n    quality: red\\n    quality_note: judgement\\n")
    >>> with recording() as used:
    ...     _ = value("demo.b", d)
    >>> list(used), "demo.a" in used
    (['demo.b'], False)
    """

    def __init__(self) -> None:
        self._keys: dict[str, None] = {}

    def start(self) -> Recording:
        """Begin noting keys (until :meth:`stop`); returns itself."""
        if self not in _ACTIVE:
            _ACTIVE.append(self)
        return self

    def stop(self) -> list[str]:
        """Stop noting keys; returns them."""
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        return list(self._keys)

    def note(self, key: str) -> None:
        """Note one key (what :func:`get` does for every active recording)."""
        self._keys.setdefault(key, None)

    def __enter__(self) -> Recording:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys


#: The recordings active now (process-wide: a notebook's cells run one after another, and a
#: recording started in one cell must see what later cells read).
_ACTIVE: list[Recording] = []
#: The memo of every :func:`cached` function, cleared by :func:`clear_cache`.
_MEMOS: list[dict[Any, tuple[Any, tuple[str, ...]]]] = []
#: For kernels that run report after report (:mod:`sharedservices.pipeline.leaks`): the loaded
#: files and memos are caches, kept from one report to the next; the active recordings belong
#: to one run (a notebook starts one and never stops it), so they are emptied after each.
__cache_names__ = ("_CACHE", "_MEMOS")
__run_state__ = ("_ACTIVE",)


def _note(key: str) -> None:
    for r in _ACTIVE:
        r.note(key)


def recording() -> Recording:
    """A new :class:`Recording`, started: ``with recording() as used:`` or
    ``used = recording()`` ... ``used.stop()``."""
    return Recording().start()


_F = TypeVar("_F", bound=Callable[..., Any])


def cached(fn: _F) -> _F:
    """Cache a function of hashable arguments that reads assumptions, and keep recordings true.

    The first call with given arguments (for the current assumptions directory) computes the
    value and remembers which keys it read; every call, first or not, notes those keys in the
    active recordings, so a cached default is recorded by every run that uses it.
    :func:`clear_cache` forgets the values.
    """
    memo: dict[Any, tuple[Any, tuple[str, ...]]] = {}
    _MEMOS.append(memo)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (str(paths.assumptions_dir()), args, tuple(sorted(kwargs.items())))
        hit = memo.get(key)
        if hit is None:
            with Recording() as rec:
                out = fn(*args, **kwargs)
            memo[key] = hit = (out, tuple(rec))
        else:
            for k in hit[1]:
                _note(k)
        return hit[0]

    wrapper.cache_clear = memo.clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def keys(prefix: str, directory: Path | str | None = None) -> list[str]:
    """Every key starting with ``prefix``, in file order (names only: nothing is recorded as read).

    Examples
    --------
    >>> keys("prices.")
    ['prices.gdp_deflator']
    """
    values, _ = _load_dir(directory)
    return [k for k in values if k.startswith(prefix)]


def matching(prefix: str, directory: Path | str | None = None) -> dict[str, Assumption]:
    """Every value whose key starts with ``prefix`` (each recorded as read), in file order."""
    return {k: get(k, directory) for k in keys(prefix, directory)}


def load_all(directory: Path | str | None = None) -> dict[str, Assumption]:
    """Load and validate every assumptions file.

    Parameters
    ----------
    directory : path, optional
        Defaults to :func:`sharedservices.inputs.paths.assumptions_dir` (honours
        ``SHAREDSERVICES_ASSUMPTIONS_DIR``).

    Returns
    -------
    dict of str to Assumption
        Keyed ``"file.key"``.  Cached per directory; a changed file is re-read.

    Raises
    ------
    DataError
        A file or value fails validation; the message names the file and the key.
    """
    values, _ = _load_dir(directory)
    return dict(values)


def files(directory: Path | str | None = None) -> dict[str, str]:
    """Map each assumptions file read (``"prices.yaml"``) to its sha256, for provenance."""
    _, hashes = _load_dir(directory)
    return dict(hashes)


def get(key: str, directory: Path | str | None = None) -> Assumption:
    """The :class:`Assumption` for ``"file.key"``.

    Raises
    ------
    InputError
        Unknown key; the message names it and lists close matches.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "demo.yaml").write_text(
    ...     "title: Demo\\nvalues:\\n  years:\\n    value: 4\\n    unit: years\\n"
    ...     "    source: suite assumption\\n    quality: red\\n    quality_note: judgement\\n")
    >>> get("demo.years", d).quality
    'red'
    >>> get("demo.yeras", d)
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: assumption: 'demo.yeras' is not defined (close matches: demo.years)
    """
    if not isinstance(key, str):
        raise InputError(f"assumption: key {key!r} is not text (allowed: 'file.key')")
    values, _ = _load_dir(directory)
    try:
        a = values[key]
    except KeyError:
        close = difflib.get_close_matches(key, list(values), n=5, cutoff=0.6)
        if not close:
            prefix = key.split(".", 1)[0] + "."
            close = sorted(k for k in values if k.startswith(prefix))[:5]
        hint = (
            f"close matches: {', '.join(close)}"
            if close
            else f"files: {', '.join(sorted({v.file for v in values.values()}))}"
        )
        raise InputError(f"assumption: {key!r} is not defined ({hint})") from None
    _note(key)
    return Assumption(**{**a.__dict__, "value": copy.deepcopy(a.value)})


def value(key: str, directory: Path | str | None = None) -> Any:
    """The value of ``"file.key"`` (a fresh copy: mutating it does not touch the cache).

    Raises
    ------
    InputError
        Unknown key; the message names it and lists close matches.
    """
    return get(key, directory).value


def citation(key: str, directory: Path | str | None = None) -> str:
    """A one-line citation for a caption or footnote, with the rating.

    A suite assumption says so in capitals, so a reader sees where a result rests on the
    suite's own judgement.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "demo.yaml").write_text(
    ...     "title: Demo\\nvalues:\\n  years:\\n    value: 4\\n    unit: years\\n"
    ...     "    source: suite assumption\\n    quality: red\\n    quality_note: judgement\\n")
    >>> citation("demo.years", d)
    'demo.years = 4 years: SUITE ASSUMPTION (red: judgement)'
    """
    a = get(key, directory)
    val = format_value(a.value, a.unit)
    unit = a.unit
    if val.endswith("%") and unit.lower().startswith("fraction "):
        unit = unit[len("fraction ") :]  # "1.8% of total service expenditure"
    shown = f"{a.key} = {val} {unit}"
    if a.is_suite_assumption:
        return f"{shown}: SUITE ASSUMPTION (red: {a.quality_note})"
    return f"{shown}: {a.source_title}, {a.source_url} ({a.quality})"


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------


def _fmt_number(x: float | int, unit: str) -> str:
    if isinstance(x, bool):
        return str(x)
    u = unit.lower()
    if u.startswith(("fraction", "share", "probability")) or (
        "fraction" in u and not is_money_unit(unit)
    ):
        pct = 100 * x
        text = f"{pct:.3g}%" if abs(pct) < 1000 else f"{pct:,.0f}%"  # as report.format writes it
    elif isinstance(x, int):
        text = f"{x:,}"
    elif float(x).is_integer():
        text = f"{int(x):,}"
    else:
        text = f"{x:,.6g}"
    return "\u2212" + text[1:] if text.startswith("-") else text  # the minus sign, not a hyphen


def _words(key: object) -> str:
    """A field name inside a structured value, as words ("works_duration_upper" -> "works duration upper")."""
    return str(key).replace("_", " ")


def unit_as_shown(value_text: str, unit: str) -> str:
    """The unit written beside a value as :func:`format_value` shows it: a value shown in per
    cent says "%" where its unit says "fraction".

    Examples
    --------
    >>> unit_as_shown("75%", "fraction of each year's new front-line cut not restored")
    "% of each year's new front-line cut not restored"
    >>> unit_as_shown("(years 0 to 30: 3.5%)", "rate, fraction per year"), unit_as_shown("4", "years")
    ('rate, % per year', 'years')
    """
    if "%" not in value_text:
        return unit
    return re.sub(r"\bfractions?\b", "%", unit)


def _unit_for(key: str, unit: str) -> str:
    """Inside a table, fields named ``..._year`` are years whatever the record's unit."""
    return "years" if key.endswith(("year", "years")) else unit


def format_value(v: Any, unit: str = "") -> str:
    """Render a value readably for a report table.

    Fractions (units starting "fraction", "share" or "probability") become percentages;
    lists join with commas; mappings render as ``key: value``.

    Examples
    --------
    >>> format_value(0.018, "fraction of total service expenditure")
    '1.8%'
    >>> format_value({"2010-11": 28.0, "2011-12": 25.0}, "£bn cash")
    '2010-11: 28; 2011-12: 25'
    >>> format_value([{"from_year": 0, "to_year": None, "rate": 0.035}], "rate, fraction per year")
    '(from year 0, to year —, rate 3.5%)'
    >>> format_value({"change": -0.26}, "fraction, real")
    'change: −26%'
    >>> format_value(["central", "other"], "service slugs")
    'central, other'
    >>> format_value(None)
    '—'
    """
    if v is None:
        return "—"
    if isinstance(v, int | float):
        return _fmt_number(v, unit)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        if all(isinstance(i, dict) for i in v):
            return "; ".join(
                "("
                + ", ".join(f"{_words(k)} {format_value(x, _unit_for(k, unit))}" for k, x in i.items())
                + ")"
                for i in v
            )
        return ", ".join(format_value(i, unit) for i in v)
    if isinstance(v, Mapping):
        inner = []
        for k, x in v.items():
            if isinstance(x, Mapping):
                inner.append(
                    f"{_words(k)}: ("
                    + ", ".join(
                        f"{_words(kk)} {format_value(xx, _unit_for(kk, unit))}" for kk, xx in x.items()
                    )
                    + ")"
                )
            else:
                inner.append(f"{_words(k)}: {format_value(x, unit)}")
        return "; ".join(inner)
    return str(v)


TABLE_COLUMNS = [
    "key",
    "value",
    "unit",
    "price_base",
    "source_title",
    "source_url",
    "quality",
    "quality_note",
]


def keys_in_file(stem: str, directory: Path | str | None = None) -> list[str]:
    """Every key of one assumptions file (``stem.yaml``), in file order.

    Raises
    ------
    InputError
        No such file.

    Examples
    --------
    >>> keys_in_file("prices")
    ['prices.gdp_deflator']
    """
    keys = [k for k in load_all(directory) if k.split(".", 1)[0] == stem]
    if not keys:
        raise InputError(f"assumptions file: {stem!r} has no values (allowed: {', '.join(files(directory))})")
    return keys


def table(keys: Iterable[str] | None = None, directory: Path | str | None = None) -> pd.DataFrame:
    """The assumptions as a table for reports, values formatted readably.

    Parameters
    ----------
    keys : list of str, optional
        ``"file.key"`` names, in the order wanted; all values (sorted by key) if None.

    Returns
    -------
    pandas.DataFrame
        Columns ``key, value, unit, price_base, source_title, source_url, quality,
        quality_note``; ``value`` is text (fractions as percentages).

    Raises
    ------
    InputError
        A key is not defined.
    """
    if keys is None:
        values, _ = _load_dir(directory)
        chosen = [values[k] for k in sorted(values)]
    else:
        if isinstance(keys, str):
            raise InputError(
                f"assumption keys: {keys!r} is one string (allowed: a list of 'file.key')"
            )
        chosen = [get(k, directory) for k in keys]
    rows = [
        {
            "key": a.key,
            "value": format_value(a.value, a.unit),
            "unit": unit_as_shown(format_value(a.value, a.unit), a.unit),
            "price_base": a.price_base,
            "source_title": a.source_title,
            "source_url": a.source_url,
            "quality": a.quality,
            "quality_note": a.quality_note,
        }
        for a in chosen
    ]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


# --------------------------------------------------------------------------------------
# Non-primary hosts (data/assumptions/non_primary_hosts.yaml)
# --------------------------------------------------------------------------------------

#: The value listing hosts that are not primary sources (host -> kind of site).
NON_PRIMARY_HOSTS = "non_primary_hosts.hosts"
#: The value listing web-archive copies accepted as the primary record (URL -> why).
ARCHIVED_PRIMARIES = "non_primary_hosts.archived_primaries"
_HOST_FILE = NON_PRIMARY_HOSTS.split(".", 1)[0] + ".yaml"
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`|]+")


def url_host(url: str) -> str:
    """The host of a URL: lower case, without a port or a leading ``www.``.

    Examples
    --------
    >>> url_host("https://www.PAconsulting.com/newsroom/x")
    'paconsulting.com'
    >>> url_host("http://www.communities.gov.uk:80/corporate/")
    'communities.gov.uk'
    >>> url_host("not a url")
    ''
    """
    host = (urlsplit(str(url).strip()).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def urls_in(text: str | None) -> list[str]:
    """Every http(s) URL in a text (a note), without the punctuation that ends a sentence.

    Examples
    --------
    >>> urls_in("Public Finance (http://www.publicfinance.co.uk/news/2011/12/x); see also "
    ...         "https://ifs.org.uk/a.")
    ['http://www.publicfinance.co.uk/news/2011/12/x', 'https://ifs.org.uk/a']
    >>> urls_in(None)
    []
    """
    return [m.rstrip(".,;:)]}") for m in _URL_IN_TEXT.findall(text or "")]


def listed_host(url: str, hosts: Iterable[str]) -> str | None:
    """The entry of ``hosts`` that ``url`` is on (its host or a parent domain), or None.

    Examples
    --------
    >>> listed_host("https://transchannel2.rssing.com/chan-1/a.html", ["wikimili.com", "rssing.com"])
    'rssing.com'
    >>> listed_host("https://notwikimili.com/en/x", ["wikimili.com"]) is None
    True
    """
    host = url_host(url)
    if not host:
        return None
    for entry in hosts:
        e = url_host(f"http://{str(entry).strip()}")
        if e and (host == e or host.endswith("." + e)):
            return str(entry)
    return None


@dataclass(frozen=True)
class NonPrimaryCitation:
    """A URL a value offers as a source that is on a listed non-primary host.

    Attributes
    ----------
    key : str
        ``"file.key"`` of the value.
    quality : str
        Its rating (anything but red breaks the rule).
    where : {"source", "note", "quality_note"}
        Where the URL is.
    url : str
    host : str
        The entry of ``non_primary_hosts.hosts`` it matched.
    """

    key: str
    quality: str
    where: str
    url: str
    host: str


def _host_rules(values: Mapping[str, Assumption]) -> tuple[dict[str, str], set[str]]:
    if NON_PRIMARY_HOSTS not in values:
        raise DataError(
            f"{_HOST_FILE}: value {NON_PRIMARY_HOSTS.split('.', 1)[1]!r} is missing "
            "(the list of hosts that are not primary sources)"
        )
    hosts = values[NON_PRIMARY_HOSTS].value
    if not isinstance(hosts, Mapping) or not hosts:
        raise DataError(f"{_HOST_FILE}: 'hosts' must map each host to the kind of site")
    allowed = values[ARCHIVED_PRIMARIES].value if ARCHIVED_PRIMARIES in values else {}
    return {str(h): str(k) for h, k in hosts.items()}, {str(u).strip() for u in allowed}


def non_primary_citations(directory: Path | str | None = None) -> list[NonPrimaryCitation]:
    """Every URL a value offers as a source that is on a host in ``non_primary_hosts.hosts``.

    A value offers a URL as a source in ``source.url`` and wherever a URL appears in its
    ``note`` or ``quality_note``.  The pages in ``non_primary_hosts.archived_primaries`` are
    accepted and not returned; the host list's own values are not checked.

    Returns
    -------
    list of NonPrimaryCitation
        In key order.  The rule (tests/test_sources.py): none may be rated green or amber.

    Raises
    ------
    DataError
        The directory has no ``non_primary_hosts.yaml`` with a ``hosts`` mapping.
    """
    values, _ = _load_dir(directory)
    hosts, allowed = _host_rules(values)
    out = []
    for key in sorted(values):
        a = values[key]
        if a.file == _HOST_FILE:
            continue
        places = [("source", [a.source_url] if a.source_url else [])]
        places += [("note", urls_in(a.note)), ("quality_note", urls_in(a.quality_note))]
        for where, urls in places:
            for url in urls:
                entry = listed_host(url, hosts)
                if entry is not None and url.strip() not in allowed:
                    out.append(NonPrimaryCitation(key, a.quality, where, url, entry))
    return out


def _render_hosts(values: Mapping[str, Assumption], directory: Path) -> str:
    hosts, allowed = _host_rules(values)
    reasons = values[ARCHIVED_PRIMARIES].value if ARCHIVED_PRIMARIES in values else {}
    lines = [
        "## Hosts that are not primary sources",
        "",
        f"From `{_HOST_FILE}` (`{NON_PRIMARY_HOSTS}`). A value whose source URL, or any URL in "
        "its note or quality_note, is on one of these hosts or a subdomain of one is rated "
        "**red** and says why; `tests/test_sources.py` fails on a green or amber one.",
        "",
        "| host | kind of site |",
        "|---|---|",
        *(f"| `{_md_cell(h)}` | {_md_cell(k)} |" for h, k in hosts.items()),
    ]
    if allowed:
        lines += [
            "",
            "Web-archive copies accepted as the primary record (the original is offline):",
            "",
            "| page | why |",
            "|---|---|",
        ]
        for u in sorted(allowed):
            why = reasons.get(u, "") if isinstance(reasons, Mapping) else ""
            lines.append(f"| {u} | {_md_cell(why)} |")
    cites = non_primary_citations(directory)
    keys = sorted({c.key for c in cites})
    rated = {q: sum(values[k].quality == q for k in keys) for q in ("green", "amber", "red")}
    lines += [
        "",
        f"{len(keys)} values cite a listed host: {rated['green']} green, {rated['amber']} amber, "
        f"{rated['red']} red.",
    ]
    if cites:
        lines += ["", "| key | where | host | rating |", "|---|---|---|---|"]
        for c in cites:
            rating = f"**{c.quality}**" if c.quality == "red" else c.quality
            lines.append(f"| `{c.key}` | {c.where} | `{c.host}` | {rating} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# The rendered list in data/assumptions/README.md
# --------------------------------------------------------------------------------------

README_BEGIN = "<!-- BEGIN rendered list: python -m sharedservices.inputs.assumptions --readme -->"
README_END = "<!-- END rendered list -->"


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(directory: Path | str | None = None) -> str:
    """Every value with its rating, as Markdown tables (one per file), for the README.

    Red values are counted per file so a reader sees at once how much rests on the suite's
    own judgement.  Where the directory holds the list of non-primary hosts
    (``non_primary_hosts.yaml``), a section after the tables lists those hosts, the
    web-archive copies accepted as primary, and every value that cites a listed host, with
    its rating.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "demo.yaml").write_text(
    ...     "title: Demo\\nvalues:\\n  years:\\n    value: 4\\n    unit: years\\n"
    ...     "    source: suite assumption\\n    quality: red\\n    quality_note: judgement\\n")
    >>> print(render_markdown(d))  # doctest: +NORMALIZE_WHITESPACE
    ### demo.yaml: Demo
    <BLANKLINE>
    1 values: 0 green, 0 amber, 1 red.
    <BLANKLINE>
    | key | value | unit | rating | source | why this rating |
    |---|---|---|---|---|---|
    | `demo.years` | 4 | years | **red** | suite assumption | judgement |
    """
    d = Path(directory) if directory is not None else paths.assumptions_dir()
    values, _ = _load_dir(d)
    titles = {}
    for p in sorted(d.resolve().glob("*.yaml")):
        raw = _read_yaml(p)
        titles[p.name] = str(raw.get("title", "")).strip()
    blocks = []
    for name in sorted(titles):
        recs = [values[k] for k in sorted(values) if values[k].file == name]
        counts = {q: sum(a.quality == q for a in recs) for q in ("green", "amber", "red")}
        lines = [
            f"### {name}: {titles[name]}",
            "",
            f"{len(recs)} values: {counts['green']} green, {counts['amber']} amber, "
            f"{counts['red']} red.",
            "",
            "| key | value | unit | rating | source | why this rating |",
            "|---|---|---|---|---|---|",
        ]
        for a in recs:
            val = format_value(a.value, a.unit)
            unit = unit_as_shown(val, a.unit) + (f" ({a.price_base})" if a.price_base else "")
            src = (
                SUITE_ASSUMPTION
                if a.is_suite_assumption
                else f"[{_md_cell(a.source_title)}]({a.source_url})"
            )
            rating = f"**{a.quality}**" if a.quality == "red" else a.quality
            lines.append(
                f"| `{a.key}` | {_md_cell(val)} | {_md_cell(unit)} | {rating} | {src} | "
                f"{_md_cell(a.quality_note)} |"
            )
        blocks.append("\n".join(lines))
    if NON_PRIMARY_HOSTS in values:
        blocks.append(_render_hosts(values, d))
    return "\n\n".join(blocks)


def update_readme(directory: Path | str | None = None) -> Path:
    """Rewrite the rendered list between the markers in ``README.md`` of the directory."""
    d = Path(directory) if directory is not None else paths.assumptions_dir()
    readme = d / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        raise DataError(f"{readme}: the markers {README_BEGIN!r} and {README_END!r} are missing")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(
        f"{head}{README_BEGIN}\n\n{render_markdown(d)}\n\n{README_END}{tail}", encoding="utf-8"
    )
    return readme


if __name__ == "__main__":  # pragma: no cover - maintenance command
    import sys

    if sys.argv[1:] == ["--readme"]:
        print(f"wrote {update_readme()}")
    else:
        print(render_markdown())
