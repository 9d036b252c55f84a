"""``reports/councils[/TAG]/index.html``: every council of a batch in one table.

One static, self-contained page (inline CSS and a small inline script, no network): name,
class, region, the headline metrics each report recorded with ``display.headline`` (read
from its manifest), and a link to its report or its failure report.  The script adds a
text filter, a class filter and sortable columns; with JavaScript disabled the page is a
plain table sorted by council name.  All text is escaped (Jinja2 autoescaping).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sharedservices.build.publish import FAILED, read_manifest, write_atomic

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "councils" / "index.html.j2"

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


def council_rows(dest: Path) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Rows (one per council published or failed in ``dest``), headline columns, shared
    parameters.  Councils are sorted by name; headline columns by first appearance."""
    from sharedservices import data

    table = data.councils().set_index("ecode")
    codes = sorted(c for c in _codes_in(dest) if c in table.index)
    manifests = {c: read_manifest(dest, c) for c in codes}
    columns: dict[str, dict[str, str]] = {}
    shared: dict[str, Any] = {}
    for c in codes:
        m = manifests[c]
        if not m or m.get("status") != "complete":
            continue
        for name, h in (m.get("headlines") or {}).items():
            columns.setdefault(name, {"name": name, "label": str(h.get("label") or name),
                                      "unit": str(h.get("unit") or "")})
        if not shared:
            shared = {k: v for k, v in m.get("provenance", {}).get("parameters", {}).items()
                      if k != "council"}
    rows = []
    for c in codes:
        m = manifests[c]
        complete = bool(m and m.get("status") == "complete" and (dest / f"{c}.html").is_file())
        heads = ((m or {}).get("headlines") or {}) if complete else {}
        values = []
        for name in columns:
            text, sort = format_value(heads.get(name, {}).get("value")) if name in heads \
                else ("–", "")
            values.append({"text": text, "sort": sort})
        failed = (dest / FAILED / f"{c}.html").is_file()
        rows.append({
            "code": c, "name": str(table.at[c, "name"]), "cls": str(table.at[c, "class"]),
            "region": str(table.at[c, "region"]), "cells": values,
            "report": f"{c}.html" if complete else None,
            "failed": f"{FAILED}/{c}.html" if failed else None,
            "status": "failed" if failed and not complete else ("built" if complete else "missing"),
        })
    rows.sort(key=lambda r: (r["name"], r["code"]))
    return rows, list(columns.values()), shared


def councils_index_html(dest: Path, notebook_rel: str, tag: str | None = None) -> str:
    """The index page of the batch folder ``dest``."""
    import jinja2

    rows, headlines, shared = council_rows(dest)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    stem = Path(notebook_rel).stem
    title = f"Council reports: {stem}" + (f" ({tag})" if tag else "")
    return template.render(
        title=title, notebook=notebook_rel, tag=tag, rows=rows, headlines=headlines,
        shared_parameters=", ".join(f"{k} = {json.dumps(v)}" for k, v in shared.items()) or "none",
        classes=sorted({r["cls"] for r in rows}),
        n_built=sum(r["report"] is not None for r in rows),
        n_failed=sum(r["failed"] is not None for r in rows),
    )


def write_councils_index(dest: Path, notebook_rel: str, tag: str | None = None) -> Path:
    """Write ``dest/index.html`` atomically; return its path."""
    path = dest / "index.html"
    write_atomic(path, councils_index_html(dest, notebook_rel, tag))
    return path
