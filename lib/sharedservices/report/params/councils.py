"""Councils by name or code: the one matcher behind ``-p council``, ``--councils``,
reports.yaml and the explorer's council picker.

What may be typed, tried in this order (case, spaces, hyphens, full stops and apostrophes
ignored; ``&`` and ``and`` are the same word):

1. an RS code (``E0102``) or an ONS code of any year (``E06000023``);
2. a principal council's name, with or without its class suffix (``Bristol``,
   ``Bristol UA``: :func:`sharedservices.inputs.data.short_name`);
3. part of one name that no other principal council's name contains (``east linds``).

Anything else is refused with one line listing the closest names (:mod:`difflib`), so
``York`` is York (a name, though North Yorkshire contains it) while ``Lincolnsh`` matches
three councils and is refused.
"""

from __future__ import annotations

import difflib
import re

from sharedservices.errors import InputError, show

__all__ = ["ALLOWED", "find_council", "name_key", "select_councils"]

#: What a council may be given as, in words (the ``allowed: ...`` of every refusal).
ALLOWED = ("a principal council's name such as Bristol, or an RS code such as E0101 or an "
           "ONS code such as E06000022; see data/processed/councils.csv")
#: Most candidates a refusal lists.
MAX_CANDIDATES = 5
#: How alike an unknown name and a council's must be to be listed as close (difflib's
#: ratio; below it, the three most alike are listed anyway).
SIMILAR = 0.6
_CODE = re.compile(r"^\s*[Ee]\s*\d+\s*$")
_DROP = re.compile(r"['’.]")
_SPACE = re.compile(r"[-,/()]")


def name_key(text: str) -> str:
    """``text`` as it is compared with council names.

    Examples
    --------
    >>> name_key("  Stoke-on-Trent "), name_key("Bath & North East Somerset"), name_key("King's Lynn")
    ('stoke on trent', 'bath and north east somerset', 'kings lynn')
    """
    text = _SPACE.sub(" ", _DROP.sub("", str(text))).replace("&", " and ")
    return " ".join(text.lower().split())


def _names() -> list[tuple[str, str, str, str]]:
    """(ecode, short name, key of the full name, key of the short name) of every principal council."""
    from sharedservices.inputs import data

    c = data.councils()
    c = c[c["principal"].astype(bool)].sort_values("name", kind="stable")
    return [(str(e), data.short_name(str(n)), name_key(str(n)), name_key(data.short_name(str(n))))
            for e, n in zip(c["ecode"], c["name"], strict=True)]


def _closest(key: str, rows: list[tuple[str, str, str, str]], cutoff: float = 0.0) -> list[str]:
    """Short names of the rows most like ``key``, best first: at most :data:`MAX_CANDIDATES`,
    those scoring at least ``cutoff`` (:class:`difflib.SequenceMatcher` ratio) if any do."""
    def score(row: tuple[str, str, str, str]) -> float:
        return max(difflib.SequenceMatcher(None, key, row[3]).ratio(),
                   difflib.SequenceMatcher(None, key, row[2]).ratio())

    scored = sorted(((score(r), r[1]) for r in rows), key=lambda x: (-x[0], x[1]))
    good = [name for s, name in scored if s >= cutoff]
    return (good or [name for _, name in scored][:3])[:MAX_CANDIDATES]


def find_council(text: str) -> str:
    """The RS code of the one principal council ``text`` names (see the module docstring).

    Raises
    ------
    InputError
        ``text`` is a code of no principal council, or names no council or more than one;
        one line with the closest names.

    Examples
    --------
    >>> find_council("Bristol"), find_council("bristol ua"), find_council("E06000023")
    ('E0102', 'E0102', 'E0102')
    >>> find_council("east linds"), find_council("York")
    ('E2532', 'E2701')
    >>> find_council("Lincolnsh")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: council: 'Lincolnsh' matches 3 councils (closest: Lincolnshire, North Lincolnshire, North East Lincolnshire; allowed: a name or code of one council)
    >>> find_council("Bristl")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: council: 'Bristl' matches no principal council (closest: Bristol; allowed: a principal council's name such as Bristol, or an RS code such as E0101 or an ONS code such as E06000022; see data/processed/councils.csv)
    """
    from sharedservices.inputs import data

    if not isinstance(text, str) or not text.strip():
        raise InputError(f"council: {show(text)} is not a council name or code (allowed: {ALLOWED})")
    if _CODE.match(text):
        return data.resolve_council(text)
    key = name_key(text)
    rows = _names()
    exact = sorted({r[0] for r in rows if key in (r[2], r[3])})
    if len(exact) == 1:
        return exact[0]
    hits = [r for r in rows if key and key in r[2]] if not exact else \
        [r for r in rows if r[0] in exact]
    if len(hits) == 1:
        return hits[0][0]
    if not hits:
        raise InputError(f"council: {show(text)} matches no principal council "
                         f"(closest: {', '.join(_closest(key, rows, SIMILAR))}; allowed: {ALLOWED})")
    more = "" if len(hits) <= MAX_CANDIDATES else ", …"
    raise InputError(f"council: {show(text)} matches {len(hits)} councils "
                     f"(closest: {', '.join(_closest(key, hits))}{more}; "
                     "allowed: a name or code of one council)")


def select_councils(spec: str) -> list[str]:
    """The sorted RS codes ``--councils`` selects: ``all``, a class (``SC``, ``SD``, ``UA``,
    ``MD``, ``L``) or comma-separated council names or codes (:func:`find_council`).

    Raises
    ------
    InputError
        Any item matches no council or more than one (checked before anything runs).

    Examples
    --------
    >>> select_councils("Bristol, E0101"), len(select_councils("L"))
    (['E0101', 'E0102'], 33)
    """
    from sharedservices.inputs import data

    s = spec.strip() if isinstance(spec, str) else ""
    if not s or s.lower() == "all" or s.upper() in data.PRINCIPAL_CLASSES:
        return data.select_councils(spec)
    parts = [p.strip() for p in s.split(",")]
    if any(not p for p in parts):
        raise InputError(f"councils: {show(spec)} has an empty item (allowed: comma-separated "
                         "council names or codes)")
    return sorted({find_council(p) for p in parts})
