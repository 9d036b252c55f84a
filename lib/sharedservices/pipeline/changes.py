"""What changed: the published headlines against those of the last build that changed any.

After it has published, every ``build`` reads the headline values of the published set (each
report in ``reports.yaml`` with a complete manifest: the manifest's ``headlines``, recorded
in the notebook by ``display.headline``) and compares them with ``reports/_changes.json``,
the record written by the last build that changed anything.  A report new to the set, a
report gone from it (dropped from ``reports.yaml``, or no longer complete) and every headline
whose value or unit moved are a change; a headline that appeared or disappeared is shown
with its missing side as "missing".  Two numbers are the same when they agree to nine
significant figures (``math.isclose``, ``rel_tol=1e-9``), so rounding noise is no change.

When anything changed, the build writes a new record (``_changes.json``: its date, the
changes, and the headlines now published, which the next build compares with) and
``reports/CHANGES.md`` from it, each with :func:`~sharedservices.pipeline.publish.write_atomic`,
the record first; otherwise both are left as they are, byte for byte (``CHANGES.md`` is
only rewritten if missing or edited, from the record).  So ``CHANGES.md`` always describes the
last build that changed a published number, and a build interrupted before this step loses
nothing: the next build compares with the same record.  With no record yet (the first
build) every published report is new.

Values are written as the reports write them (:func:`sharedservices.report.format.headline_value`),
and the change relative to the old value (``+12.5%``); a financial year moves by years
(``+1 year``), a change from zero or to or from text has no relative change.  The text is
worked out when the change is recorded, so a build with nothing new does not import the
formatting module (and with it the numeric stack).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sharedservices.pipeline.config import Report
from sharedservices.pipeline.publish import read_manifest, write_atomic, write_if_changed

#: The record of the last build that changed anything (machine-readable).
RECORD = "_changes.json"
#: What a reader opens: the same record as a page.
CHANGES_MD = "CHANGES.md"
#: The same, as a page a browser shows (the index links to it).
CHANGES_HTML = "CHANGES.html"
#: Two headline numbers closer than this (relatively) are the same value.
REL_TOL = 1e-9
_RECORD_FORMAT = 1

NEW, REMOVED, CHANGED = "new report", "removed report", "changed"
MISSING = "missing"


@dataclass(frozen=True)
class Change:
    """One line of what changed: a report new or removed, or one headline that moved.

    ``old`` and ``new`` are the values as a reader reads them (``MISSING`` for a headline
    absent on that side); ``relative`` is the change (``+12.5%``, ``+1 year``) or empty.
    ``label`` is the headline's label, or the report's title for a new or removed report.
    """

    report: str
    kind: str
    headline: str = ""
    label: str = ""
    old: str = ""
    new: str = ""
    relative: str = ""

    def line(self, width: int = 0) -> str:
        """The line printed for this change.

        Examples
        --------
        >>> Change("30-x", CHANGED, "payback-year", "Payback year", "2015-16", "2016-17", "+1 year").line()
        '30-x  Payback year: 2015-16 → 2016-17 (+1 year)'
        >>> Change("60-y", NEW, label="Would the model ...?").line(6)
        '60-y    new report'
        """
        if self.kind != CHANGED:
            return f"{self.report:<{width}}  {self.kind}"
        tail = f" ({self.relative})" if self.relative else ""
        return f"{self.report:<{width}}  {self.label or self.headline}: {self.old} → {self.new}{tail}"


@dataclass
class Changes:
    """What one build found: its changes (empty if none) and the record now in force."""

    lines: list[Change]
    record: dict[str, Any]
    first: bool = False
    where: Path = field(default_factory=lambda: Path(CHANGES_MD))

    def summary(self) -> list[str]:
        """The lines the build prints."""
        if not self.lines:
            return [f"What changed: nothing in the published headlines since the build of "
                    f"{shown_date(self.record.get('date'))} ({self.where})"]
        since = ("first record, every report is new" if self.first else
                 f"since the build of {shown_date(self.record.get('previous'))}")
        width = max(len(c.report) for c in self.lines)
        return [f"What changed ({since}; {self.where}):"] + [f"  {c.line(width)}" for c in self.lines]


def shown_date(iso: Any) -> str:
    """A record's date as printed: ``2026-12-01 09:30 UTC``.

    Examples
    --------
    >>> shown_date("2026-12-01T09:30:12Z"), shown_date(None)
    ('2026-12-01 09:30 UTC', 'unknown date')
    """
    if not isinstance(iso, str) or len(iso) < 16:
        return "unknown date"
    return f"{iso[:10]} {iso[11:16]} UTC"


def published(reports_dir: Path, reports: list[Report]) -> dict[str, dict[str, Any]]:
    """The published set: ``{name: {"title", "headlines"}}`` for each report in
    ``reports`` with a complete manifest and its page, in ``reports.yaml`` order."""
    out: dict[str, dict[str, Any]] = {}
    for r in reports:
        m = read_manifest(reports_dir, r.name)
        if not (m and m.get("status") == "complete" and (reports_dir / f"{r.name}.html").is_file()):
            continue
        heads = m.get("headlines")
        out[r.name] = {"title": m.get("title") or r.title,
                       "headlines": heads if isinstance(heads, dict) else {}}
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def same(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two recorded headlines (``{"value", "unit", ...}``) are the same value.

    Examples
    --------
    >>> same({"value": 0.1, "unit": "fraction"}, {"value": 0.1 + 1e-15, "unit": "fraction"})
    True
    >>> same({"value": 5, "unit": "model year"}, {"value": None, "unit": "model year"})
    False
    """
    if old.get("unit") != new.get("unit"):
        return False
    a, b = old.get("value"), new.get("value")
    if _is_number(a) and _is_number(b):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=0.0)
    return bool(type(a) is type(b) and a == b)


def relative(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> str:
    """The change from ``old`` to ``new``, relative to ``old``; in years for a financial year.

    Examples
    --------
    >>> relative({"value": 8.0, "unit": "£m"}, {"value": 10.0, "unit": "£m"})
    '+25.0%'
    >>> relative({"value": 0.5, "unit": "fraction"}, {"value": 0.25, "unit": "fraction"})
    '−50.0%'
    >>> relative({"value": 4, "unit": "model year (0 = 2010-11)"}, {"value": 3, "unit": "model year (0 = 2010-11)"})
    '−1 year'
    >>> relative({"value": 0, "unit": "£m"}, {"value": 2, "unit": "£m"}), relative(None, {"value": 2, "unit": "£m"})
    ('from zero', '')
    """
    from sharedservices.report.format import MINUS, count, pct

    if old is None or new is None:
        return ""
    a, b = old.get("value"), new.get("value")
    if not (_is_number(a) and _is_number(b)) or old.get("unit") != new.get("unit"):
        return ""
    if str(new.get("unit", "")).strip().lower().startswith("model year"):
        years = int(round(float(b) - float(a)))
        text = f"{count(years)} year{'' if abs(years) == 1 else 's'}"
        return text if years <= 0 else f"+{text}"
    if a == 0:
        return "from zero"
    text = pct((float(b) - float(a)) / abs(float(a)), missing="")
    return text if text.startswith(MINUS) or text.strip("0.%") == "" else f"+{text}"


def _shown(h: Mapping[str, Any] | None) -> str:
    from sharedservices.report.format import headline_value

    if h is None:
        return MISSING
    return headline_value(h.get("value"), str(h.get("unit", "")), basis=True)


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Change]:
    """The changes from the published set ``before`` (None: no record yet) to ``after``
    (both as :func:`published` returns them): reports in ``after`` order, then the removed.

    Examples
    --------
    >>> old = {"a": {"title": "A", "headlines": {"x": {"value": 1.0, "unit": "£m", "label": "X"}}},
    ...        "gone": {"title": "Gone", "headlines": {}}}
    >>> new = {"a": {"title": "A", "headlines": {"x": {"value": 1.5, "unit": "£m", "label": "X"},
    ...                                         "y": {"value": None, "unit": "model year (None = never)", "label": "Y"}}},
    ...        "b": {"title": "B", "headlines": {}}}
    >>> for c in compare(old, new): print(c.line(4))
    a     X: £1.0m → £1.5m (+50.0%)
    a     Y: missing → never
    b     new report
    gone  removed report
    """
    before = before or {}
    changes: list[Change] = []
    for name, now in after.items():
        if name not in before:
            changes.append(Change(name, NEW, label=str(now.get("title", ""))))
            continue
        old_heads, new_heads = before[name].get("headlines", {}), now.get("headlines", {})
        for key in [*new_heads, *(k for k in old_heads if k not in new_heads)]:
            o, n = old_heads.get(key), new_heads.get(key)
            if o is not None and n is not None and same(o, n):
                continue
            label = str((n or o or {}).get("label", "")) or key
            changes.append(Change(name, CHANGED, key, label, _shown(o), _shown(n), relative(o, n)))
    for name, was in before.items():
        if name not in after:
            changes.append(Change(name, REMOVED, label=str(was.get("title", ""))))
    return changes


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render(record: Mapping[str, Any]) -> str:
    """``CHANGES.md`` from a record (the same record always gives the same bytes)."""
    date = shown_date(record.get("date"))
    changes = [Change(**c) for c in record.get("changes", [])]
    lines = ["# What changed", ""]
    if record.get("previous") is None:
        lines += [f"The first build recorded: **{date}**. Every report published then is listed "
                  "as new.", ""]
    else:
        lines += [f"The last build that changed a published headline value, added a report or "
                  f"removed one: **{date}**, compared with the build before it that changed "
                  f"anything ({shown_date(record.get('previous'))}).", ""]
    if not changes:
        lines += ["No report was published.", ""]
    else:
        lines += ["Values are written as the reports write them; the change is relative to the "
                  "old value (for a financial year, the years it moved). \"missing\" means the "
                  "report did not record that headline.", "",
                  "| Report | Headline | Before | After | Change |", "|---|---|---|---|---|"]
        for c in changes:
            if c.kind == CHANGED:
                lines.append(f"| `{c.report}` | {_cell(c.label)} (`{c.headline}`) | {_cell(c.old)} "
                             f"| {_cell(c.new)} | {_cell(c.relative)} |")
            else:
                lines.append(f"| `{c.report}` | {c.kind}: {_cell(c.label)} | | | |")
        lines.append("")
    lines += ["Written by `python -m sharedservices build` (`make reports`). A build that changes "
              "no published number leaves this file as it is; the record it is written from, "
              f"with the headlines then published, is `{RECORD}`.", ""]
    return "\n".join(lines)


def render_html(record: Mapping[str, Any]) -> str:
    """``CHANGES.html``: :func:`render` as a self-contained page (no network resources; the
    same record always gives the same bytes).

    Examples
    --------
    >>> page = render_html({"date": "2026-12-02T03:00:00Z", "previous": None, "changes": []})
    >>> page.startswith("<!DOCTYPE html>"), "<h1>What changed</h1>" in page, "http" in page
    (True, True, False)
    """
    import mistune

    body = mistune.create_markdown(escape=True, plugins=["table"])(render(record))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>What changed</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.45;color:#222}table{border-collapse:collapse;font-size:.9rem}"
            "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
            "th{background:#f3f3f3}code{font-size:.85em}</style></head>\n"
            f"<body><p><a href=\"index.html\">All reports</a></p>\n{body}</body></html>\n")


def read_record(reports_dir: Path) -> dict[str, Any] | None:
    """The record of the last build that changed anything, or None (absent or unreadable)."""
    try:
        data = json.loads((reports_dir / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and data.get("format") == _RECORD_FORMAT
            and isinstance(data.get("published"), dict) and isinstance(data.get("changes"), list)):
        return None
    return data


def last_change(reports_dir: Path) -> str | None:
    """The date of the last build that changed anything, as printed, or None."""
    record = read_record(reports_dir)
    return shown_date(record.get("date")) if record else None


def record_changes(reports_dir: Path, reports: list[Report],
                   now: datetime | None = None) -> Changes:
    """Compare the published set with the record; on a change write a new record and
    ``CHANGES.md``; in any case make sure ``CHANGES.md`` is there.  Returns what changed.

    Raises
    ------
    OutputError
        The record or ``CHANGES.md`` could not be written (exit 4).
    """
    old = read_record(reports_dir)
    after = published(reports_dir, reports)
    lines = compare(old["published"] if old else None, after)
    record = old
    if old is None or lines:
        when = (now or datetime.now(UTC)).astimezone(UTC)
        record = {"format": _RECORD_FORMAT, "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "previous": old["date"] if old else None,
                  "changes": [asdict(c) for c in lines], "published": after}
        write_atomic(reports_dir / RECORD, json.dumps(record, indent=1, sort_keys=True,
                                                      ensure_ascii=False) + "\n")
    assert record is not None
    where = reports_dir / CHANGES_MD
    write_if_changed(where, render(record))
    write_if_changed(reports_dir / CHANGES_HTML, render_html(record))
    return Changes(lines, record, first=old is None, where=where)


__all__ = ["CHANGES_HTML", "CHANGES_MD", "RECORD", "Change", "Changes", "compare", "last_change", "published",
           "read_record", "record_changes", "relative", "render", "render_html", "same"]
