"""``reports/councils[/TAG]/index.html``: every council of a batch in one table.

One static, self-contained page (inline CSS and a small inline script, no network): name,
class, region, the headline metrics each report recorded with ``display.headline`` (read
from its manifest), and a link to its report or its failure report.  The script adds a
text filter, a class filter and sortable columns; with JavaScript disabled the page is a
plain table sorted by council name.  All text is escaped (Jinja2 autoescaping).

The page describes what is published next to it: the batch rewrites it after every council
it publishes (so an interrupted batch leaves an index of the councils it did publish), and
parameters are read from each report's manifest -- those every built council shares are
listed once, any that differ (councils built by earlier batches with other ``-p`` values)
in a column of their own.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sharedservices.pipeline.publish import FAILED, read_manifest, write_if_changed

TEMPLATE = Path(__file__).resolve().parent / "templates" / "councils" / "index.html.j2"

__all__ = ["council_rows", "councils_index_html", "format_value", "write_councils_index"]


def format_value(value: Any) -> tuple[str, str]:
    """Display text and sort key of one headline value.

    Examples
    --------
    >>> format_value(1234.567)
    ('1,234.6', '1234.567')
    >>> format_value(2015)
    ('2015', '2015')
    >>> format_value(None)
    ('–', '')
    >>> format_value(3.3e-15)
    ('0', '3.3e-15')
    >>> format_value("never")
    ('never', '')
    """
    if isinstance(value, bool) or value is None:
        return ("–", "") if value is None else (str(value), "")
    if isinstance(value, int):
        return str(value), str(value)
    if isinstance(value, float) and math.isfinite(value):
        if abs(value) < 1e-9:  # rounding noise of a zero
            return "0", repr(value)
        text = f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.3g}"
        return text, repr(value)
    return str(value), ""


def _codes_in(dest: Path) -> set[str]:
    found = {p.stem for p in dest.glob("*.json")}
    found |= {p.stem for p in (dest / FAILED).glob("*.html")}
    return found


def _parameters(m: dict[str, Any] | None) -> dict[str, Any]:
    p = ((m or {}).get("provenance") or {}).get("parameters")
    return {k: v for k, v in p.items() if k != "council"} if isinstance(p, dict) else {}


def _shared_and_varying(built: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """Parameters equal in every built report, and the names of those that differ.

    Examples
    --------
    >>> _shared_and_varying([{"a": 1, "b": 1.0}, {"a": 1, "b": 2.5}])
    ({'a': 1}, ['b'])
    """
    if not built:
        return {}, []
    names: list[str] = []
    for p in built:
        names.extend(k for k in p if k not in names)
    marker = object()
    shared = {k: built[0][k] for k in names
              if all(json.dumps(p.get(k, marker), sort_keys=True, default=str)
                     == json.dumps(built[0].get(k, marker), sort_keys=True, default=str)
                     for p in built)}
    return shared, [k for k in names if k not in shared]


def council_rows(dest: Path, manifests: dict[str, dict[str, Any] | None] | None = None
                 ) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Rows (one per council published or failed in ``dest``), headline columns, shared
    parameters.  Councils are sorted by name; headline columns by first appearance.

    ``manifests`` (code -> manifest) saves reading again the manifests already read; codes
    missing from it are read and added.  Each row's ``parameters`` lists the parameters in
    which that council's report differs from the others (empty when all agree).
    """
    from sharedservices.inputs import data

    table = data.councils().set_index("ecode")
    codes = sorted(c for c in _codes_in(dest) if c in table.index)
    manifests = {} if manifests is None else manifests
    for c in codes:
        if c not in manifests:
            manifests[c] = read_manifest(dest, c)
    columns: dict[str, dict[str, str]] = {}
    complete = {c for c in codes if (m := manifests[c]) and m.get("status") == "complete"
                and (dest / f"{c}.html").is_file()}
    for c in codes:
        if c not in complete:
            continue
        for name, h in (manifests[c].get("headlines") or {}).items():
            columns.setdefault(name, {"name": name, "label": str(h.get("label") or name),
                                      "unit": str(h.get("unit") or "")})
    shared, varying = _shared_and_varying([_parameters(manifests[c]) for c in codes
                                           if c in complete])
    rows = []
    for c in codes:
        m = manifests[c]
        built = c in complete
        heads = ((m or {}).get("headlines") or {}) if built else {}
        values = []
        for name in columns:
            text, sort = format_value(heads.get(name, {}).get("value")) if name in heads \
                else ("–", "")
            values.append({"text": text, "sort": sort})
        failed = (dest / FAILED / f"{c}.html").is_file()
        own = _parameters(m) if built else {}
        rows.append({
            "code": c, "name": str(table.at[c, "name"]), "cls": str(table.at[c, "class"]),
            "region": str(table.at[c, "region"]), "cells": values,
            "report": f"{c}.html" if built else None,
            "failed": f"{FAILED}/{c}.html" if failed else None,
            "status": "failed" if failed and not built else ("built" if built else "missing"),
            "parameters": ", ".join(f"{k} = {json.dumps(own[k])}" for k in varying if k in own),
        })
    rows.sort(key=lambda r: (r["name"], r["code"]))
    return rows, list(columns.values()), shared


def councils_index_html(dest: Path, notebook_rel: str, tag: str | None = None,
                        manifests: dict[str, dict[str, Any] | None] | None = None) -> str:
    """The index page of the batch folder ``dest`` (``manifests``: see :func:`council_rows`)."""
    import jinja2

    rows, headlines, shared = council_rows(dest, manifests)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    stem = Path(notebook_rel).stem
    title = f"Council reports: {stem}" + (f" ({tag})" if tag else "")
    return template.render(
        title=title, notebook=notebook_rel, tag=tag, rows=rows, headlines=headlines,
        shared_parameters=", ".join(f"{k} = {json.dumps(v)}" for k, v in shared.items()) or "none",
        varying=any(r["parameters"] for r in rows),
        classes=sorted({r["cls"] for r in rows}),
        n_built=sum(r["report"] is not None for r in rows),
        n_failed=sum(r["failed"] is not None for r in rows),
    )


def write_councils_index(dest: Path, notebook_rel: str, tag: str | None = None,
                         manifests: dict[str, dict[str, Any] | None] | None = None) -> Path:
    """Write ``dest/index.html`` atomically (only if its text changes); return its path."""
    path = dest / "index.html"
    write_if_changed(path, councils_index_html(dest, notebook_rel, tag, manifests))
    return path
