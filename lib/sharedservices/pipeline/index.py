"""reports/index.html: every declared report with its title, first key finding,
parameters, build time and link (all text escaped; offline, no scripts), and a link to
``CHANGES.md`` (:mod:`.changes`).

The index describes what is published next to it: the parameters and title a page was
built with come from its manifest, a report dropped from reports.yaml is not listed, and a
failure link shows only while ``_failed/NAME.html`` exists.  Every build rewrites it (when
its text changes) as each report is published, and a build with nothing to do repairs it.
"""

from __future__ import annotations

import html
from pathlib import Path

from sharedservices.pipeline.config import Report
from sharedservices.pipeline.publish import FAILED, read_manifest, write_if_changed


def _value_words(v: object) -> str:
    """A parameter value as a reader reads it: yes/no, the default for None, text as it is."""
    if v is None:
        return "default"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def index_html(reports_dir: Path, reports: list[Report]) -> str:
    """The index page for ``reports`` as published in ``reports_dir``."""
    e = html.escape
    rows = []
    for r in reports:
        m = read_manifest(reports_dir, r.name)
        failed = (reports_dir / FAILED / f"{r.name}.html").is_file()
        complete = bool(m and m.get("status") == "complete"
                        and (reports_dir / f"{r.name}.html").is_file())
        shown = r.parameters
        if complete and isinstance(m.get("provenance", {}).get("parameters"), dict):
            shown = m["provenance"]["parameters"]  # what the published page was built with
        # the choices reports.yaml makes for this report, in words (the page's provenance has them all)
        chosen = {k: shown.get(k, v) for k, v in r.parameters.items()}
        params = "; ".join(f"{k.replace('_', ' ')}: {_value_words(v)}" for k, v in chosen.items()) or "defaults"
        if complete:
            finding = (m.get("key_findings") or [""])[0]
            when = m.get("provenance", {}).get("build_time", "")
            link = f'<a href="{e(r.name)}.html">{e(m.get("title") or r.title)}</a>'
        else:
            finding, when = "", ""
            link = f"{e(r.title)} <em>(not built yet or incomplete)</em>"
        note = (f' <a class="failed" href="{FAILED}/{e(r.name)}.html">last build failed</a>'
                if failed else "")
        rows.append(f"<tr><td>{link}{note}</td><td>{e(finding)}</td>"
                    f"<td><code>{e(params)}</code></td><td>{e(when)}</td></tr>")
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>sharedservices reports</title>
<style>body{{font-family:Arial,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}}
a.failed{{color:#a00;font-size:.85em}}</style></head>
<body><h1>Shared services and front-loaded cuts: published reports</h1>
{_changes_link(reports_dir)}
<table><thead><tr><th>Report</th><th>First key finding</th><th>Parameters</th><th>Built (UTC)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def _changes_link(reports_dir: Path) -> str:
    """A link to ``CHANGES.html`` (and its Markdown, ``CHANGES.md``): which published numbers
    moved in the last build that moved any."""
    from sharedservices.pipeline.changes import CHANGES_HTML, CHANGES_MD, last_change

    when = last_change(reports_dir)
    return (f'<p><a href="{CHANGES_HTML}">What changed</a>: the published numbers that moved in the '
            f'last build that moved any{f" ({html.escape(when)})" if when else ""} '
            f'(<a href="{CHANGES_MD}">Markdown</a>).</p>')


def write_index(reports_dir: Path, reports: list[Report]) -> Path:
    """Write ``reports/index.html`` atomically (only if its text changes)."""
    path = reports_dir / "index.html"
    write_if_changed(path, index_html(reports_dir, reports))
    return path
