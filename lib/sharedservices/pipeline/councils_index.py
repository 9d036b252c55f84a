"""``reports/councils[/TAG]/index.html``: every council of a batch in one table.

One static, self-contained page (inline CSS and a small inline script, no network): name
(without its class suffix: :func:`sharedservices.inputs.data.short_name`), class, region, the headline metrics each report recorded with ``display.headline`` (read
from its manifest) written for a reader (:func:`sharedservices.report.format.headline_value`:
%, £m, financial years, "never"), each report's own build time, and a link to its report or
its failure report.  The script adds a text filter, region and class filters and sortable
columns (sorted by the recorded values, not by the text); with JavaScript disabled the page
is a plain table sorted by council name.  All text is escaped (Jinja2 autoescaping).

A column that holds one value for every council (a class or region when the batch is one
class or one region, a headline the parameters fix, such as the persistence of front-line
cuts) is not shown: the line above the table lists those shared values once.

The page describes what is published next to it: the batch rewrites it after every council
it publishes (so an interrupted batch leaves an index of the councils it did publish), and
parameters are read from each report's manifest -- those every built council shares are
listed once, any that differ (councils built by earlier batches with other ``-p`` values)
in a column of their own.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from sharedservices.pipeline.publish import FAILED, read_manifest, write_if_changed
from sharedservices.report.format import headline_value

TEMPLATE = Path(__file__).resolve().parent / "templates" / "councils" / "index.html.j2"
#: Councils with a built report needed before a column with one value for all is dropped
#: (one council's values are all "shared").
MIN_ROWS_TO_DROP = 2
#: Shown for a value a report did not record.
MISSING = "–"

__all__ = ["MIN_ROWS_TO_DROP", "council_rows", "councils_index_html", "format_value",
           "one_value_columns", "unit_label", "write_councils_index"]


def format_value(value: Any, unit: str = "") -> tuple[str, str]:
    """Display text (:func:`~sharedservices.report.format.headline_value`) and sort key of one
    recorded headline value.

    Examples
    --------
    >>> format_value(0.0726, "fraction of the 2011-12 funding gap (None = no gap)")
    ('7.3%', '0.0726')
    >>> format_value(5, "model year (0 = 2010-11; None = never)"), format_value(None, "model year (None = never)")
    (('2015-16', '5'), ('never', ''))
    >>> format_value(-12.04, "£m, 2010-11 prices"), format_value(3.3e-15, "£m, 2010-11 prices")
    (('−£12.0m', '-12.04'), ('£0.0m', '3.3e-15'))
    >>> format_value("it piloted 100 % rates retention", "")
    ('it piloted 100 % rates retention', '')
    """
    text = headline_value(value, unit)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return text, ""
    return text, (repr(value) if math.isfinite(value) else "")


_NONE_PART = re.compile(r"\s*\((?:[^()]*;\s*)?None\s*=[^()]*\)")
_YEAR_ZERO = re.compile(r"\s*\(0\s*=[^()]*\)")


def unit_label(unit: str) -> str:
    """A headline's unit as the header of its column, for the text
    :func:`format_value` writes: a fraction is a percentage, a model year a financial year,
    and what None means is left out (the cells say it).

    Examples
    --------
    >>> unit_label("fraction of the 2011-12 funding gap (None = no gap)")
    '% of the 2011-12 funding gap'
    >>> unit_label("model year (0 = 2010-11; None = never)"), unit_label("£m, 2010-11 prices")
    ('financial year', '£m, 2010-11 prices')
    >>> unit_label("fraction a year, nominal (None = no partner, or none would sign)")
    '% a year, nominal'
    """
    text = _NONE_PART.sub("", _YEAR_ZERO.sub("", unit or "")).strip()
    first, _, rest = text.partition(" ")
    if first.rstrip(",") in ("fraction", "probability", "share"):
        return f"%{first[len(first.rstrip(',')):]} {rest}".strip()
    if text.startswith("model year"):
        return "financial year" + text[len("model year"):]
    return text


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


def _built_time(m: dict[str, Any] | None) -> str:
    """The report's own build time from its manifest (``2026-11-27 01:50:00``, UTC), or ''."""
    when = ((m or {}).get("provenance") or {}).get("build_time")
    return str(when).replace("T", " ").removesuffix("Z")[:19] if when else ""


def council_rows(dest: Path, manifests: dict[str, dict[str, Any] | None] | None = None
                 ) -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, Any]]:
    """Rows (one per council published or failed in ``dest``), headline columns, shared
    parameters.  Councils are sorted by name; headline columns by first appearance.

    ``manifests`` (code -> manifest) saves reading again the manifests already read; codes
    missing from it are read and added.  Each row's ``cells`` hold one ``{"text", "sort"}``
    per headline column (:func:`format_value`), ``built`` its report's own build time, and
    ``parameters`` the parameters in which that council's report differs from the others
    (empty when all agree).  Every column has its ``name``, ``label``, ``unit`` (as the
    reports record it), ``unit_label`` (:func:`unit_label`) and ``type`` (number or text).
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
            unit = str(h.get("unit") or "")
            col = columns.setdefault(name, {"name": name, "label": str(h.get("label") or name),
                                            "unit": unit, "unit_label": unit_label(unit),
                                            "type": "number"})
            if isinstance(h.get("value"), str):
                col["type"] = "text"
    shared, varying = _shared_and_varying([_parameters(manifests[c]) for c in codes
                                           if c in complete])
    rows = []
    for c in codes:
        m = manifests[c]
        built = c in complete
        heads = ((m or {}).get("headlines") or {}) if built else {}
        values = []
        for name, col in columns.items():
            text, sort = format_value(heads[name].get("value"), col["unit"]) if name in heads \
                else (MISSING, "")
            values.append({"text": text, "sort": sort})
        failed = (dest / FAILED / f"{c}.html").is_file()
        own = _parameters(m) if built else {}
        region = str(table.at[c, "region"])
        rows.append({
            "code": c, "name": data.short_name(str(table.at[c, "name"])),
            "full_name": str(table.at[c, "name"]), "cls": str(table.at[c, "class"]),
            "region": region, "region_name": data.REGION_NAMES.get(region, region),
            "cells": values, "built": _built_time(m) if built else "",
            "report": f"{c}.html" if built else None,
            "failed": f"{FAILED}/{c}.html" if failed else None,
            "status": "failed" if failed and not built else ("built" if built else "missing"),
            "parameters": ", ".join(f"{k} = {json.dumps(own[k])}" for k in varying if k in own),
        })
    rows.sort(key=lambda r: (r["name"], r["code"]))
    return rows, list(columns.values()), shared


def one_value_columns(rows: list[dict[str, Any]], headlines: list[dict[str, str]]
                      ) -> tuple[dict[str, bool], list[tuple[str, str]]]:
    """Which columns to show, and the (label, value) of those holding one value for every council.

    Class and region count over every row; a headline and the build time over the rows
    with a built report (the others show no value).  Nothing is dropped with fewer than
    :data:`MIN_ROWS_TO_DROP` built reports.  Keys of the first result: ``cls``, ``region``,
    ``built`` and each headline's name.

    Examples
    --------
    >>> rows = [{"cls": "UA", "region": r, "built": "2026-01-01 10:0" + r[-1], "report": "x",
    ...          "cells": [{"text": "7.3%"}, {"text": t}]} for r, t in [("N1", "£1.0m"), ("S2", "£2.0m")]]
    >>> heads = [{"name": "cover", "label": "Coverage", "unit_label": "% of the gap"},
    ...          {"name": "npv", "label": "NPV", "unit_label": "£m"}]
    >>> show, shared = one_value_columns(rows, heads)
    >>> [k for k, v in show.items() if v], shared
    (['region', 'built', 'npv'], [('Class', 'UA'), ('Coverage (% of the gap)', '7.3%')])
    """
    built = [r for r in rows if r["report"]]
    show: dict[str, bool] = {}
    shared: list[tuple[str, str]] = []

    def decide(key: str, label: str, values: list[str], enough: bool) -> None:
        one = enough and len(set(values)) == 1
        show[key] = not one
        if one and values[0]:  # an empty column (no build time recorded) goes unlisted
            shared.append((label, values[0]))

    enough = len(built) >= MIN_ROWS_TO_DROP
    decide("cls", "Class", [r["cls"] for r in rows], enough)
    decide("region", "Region", [r.get("region_name", r["region"]) for r in rows], enough)
    decide("built", "Built (UTC)", [r["built"] for r in built], enough)
    for i, h in enumerate(headlines):
        label = h["label"] + (f" ({h['unit_label']})" if h.get("unit_label") else "")
        decide(h["name"], label, [r["cells"][i]["text"] for r in built], enough)
    return show, shared


def councils_index_html(dest: Path, notebook_rel: str, tag: str | None = None,
                        manifests: dict[str, dict[str, Any] | None] | None = None) -> str:
    """The index page of the batch folder ``dest`` (``manifests``: see :func:`council_rows`)."""
    import jinja2

    rows, headlines, shared = council_rows(dest, manifests)
    show, same = one_value_columns(rows, headlines)
    for r in rows:
        r["cells"] = [{**v, "num": h["type"] == "number"}
                      for v, h in zip(r["cells"], headlines, strict=True) if show[h["name"]]]
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    stem = Path(notebook_rel).stem
    title = f"Council reports: {stem}" + (f" ({tag})" if tag else "")
    return template.render(
        title=title, notebook=notebook_rel, tag=tag, rows=rows,
        headlines=[h for h in headlines if show[h["name"]]], show=show, same=same,
        shared_parameters=", ".join(f"{k} = {json.dumps(v)}" for k, v in shared.items()) or "none",
        varying=any(r["parameters"] for r in rows),
        classes=sorted({r["cls"] for r in rows}),
        regions=sorted({(r["region_name"], r["region"]) for r in rows}),
        n_built=sum(r["report"] is not None for r in rows),
        n_failed=sum(r["failed"] is not None for r in rows),
    )


def write_councils_index(dest: Path, notebook_rel: str, tag: str | None = None,
                         manifests: dict[str, dict[str, Any] | None] | None = None) -> Path:
    """Write ``dest/index.html`` atomically (only if its text changes); return its path."""
    path = dest / "index.html"
    write_if_changed(path, councils_index_html(dest, notebook_rel, tag, manifests))
    return path
