"""From an executed notebook to the report: HTML, figure and table files, headlines.

Tagged outputs (see :mod:`sharedservices.report.display`) become numbered figures and tables in
the HTML and files under ``NAME/``; the HTML uses the suite's offline template
(``lib/sharedservices/pipeline/templates/sharedservices``): no scripts, no remote styles, fonts or
images, figures embedded as data URIs, code and prompts hidden, a table of contents,
numbered sections, figure captions and a provenance section at the end.
"""

from __future__ import annotations

import base64
import html
import json
import re
import secrets
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sharedservices.pipeline.provenance import sha256_file
from sharedservices.report.display import META_KEY

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "sharedservices"
_DROP_MIMETYPES = ("application/javascript", "application/vnd.jupyter.widget-view+json",
                   "application/vnd.jupyter.widget-state+json")
#: The line under every report's title (parameters and checksums are in the provenance section).
SUBTITLE = ("Parameters, recorded headline values, data checksums and software versions are listed "
            "under Provenance at the end of the report.")
_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _figure_html(meta: dict[str, Any], svg: str | None, number: int, png: str | None = None) -> str:
    # the SVG when there is one (vector, the published set and batches by default), else the PNG
    if svg is not None:
        src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    else:
        src = f"data:image/png;base64,{png}"
    cap = _esc(meta["caption"])
    return (f'<figure class="ss-figure" id="figure-{_esc(meta["name"])}">'
            f'<img alt="{cap}" src="{src}">'
            f"<figcaption>Figure {number}. {cap}</figcaption></figure>")


def prepare(nb: Any) -> dict[str, list[dict[str, Any]]]:
    """Rewrite tagged outputs of an executed notebook for the report; collect them.

    Figures become ``<figure>`` blocks (SVG as a data URI, or the PNG for a figure rendered
    as PNG only; numbered caption), tables get a
    numbered caption; scripts and widget outputs are dropped.

    Returns
    -------
    dict
        ``figures``, ``tables``, ``headlines``, ``key_findings``: lists of the metadata
        recorded by the display helpers (figures with ``png``/``svg`` added).

    Raises
    ------
    ValueError
        Two outputs share a name.
    """
    found: dict[str, list[dict[str, Any]]] = {"figures": [], "tables": [], "headlines": [],
                                              "key_findings": []}
    names: set[tuple[str, str]] = set()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable anchors: nbformat invents random ids when missing
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            for mt in _DROP_MIMETYPES:
                out.get("data", {}).pop(mt, None)
            meta = out.get("metadata", {}).get(META_KEY)
            if not meta:
                continue
            meta = dict(meta)
            kind = meta.get("kind")
            key = ("file" if kind in ("figure", "table") else kind, meta.get("name"))
            if key in names and kind not in ("key_findings", "note"):  # notes are not files
                raise ValueError(f"output name {meta.get('name')!r} is used twice in the notebook")
            names.add(key)
            if kind == "figure":  # in the formats it was rendered in (display.figure_formats)
                meta["png"] = out["data"].get("image/png")
                meta["svg"] = out["data"].get("image/svg+xml")
                if meta["png"] is None and meta["svg"] is None:
                    raise ValueError(f"figure {meta.get('name')!r} has neither a PNG nor an SVG image")
                found["figures"].append(meta)
                out["data"] = {"text/html": _figure_html(meta, meta["svg"], len(found["figures"]), meta["png"])}
            elif kind == "table":
                found["tables"].append(meta)
                n = len(found["tables"])
                caption = (f'<p class="ss-table-caption" id="table-{_esc(meta["name"])}">'
                           f"Table {n}. {_esc(meta['caption'])}</p>")
                out["data"] = {"text/html": caption + out["data"]["text/html"]}
            elif kind == "headline":
                found["headlines"].append(meta)
            elif kind == "key_findings":
                found["key_findings"].append(meta)
        # Key findings go to the box at the top of the report and headlines to the
        # provenance table (the template places both): neither stays where it was shown.
        cell["outputs"] = [o for o in cell.get("outputs", [])
                           if (o.get("metadata", {}).get(META_KEY) or {}).get("kind")
                           not in ("key_findings", "headline")]
    return found


def _toc(body: str, key_findings: bool = False) -> str:
    # the key findings sit above the numbered sections: listed first, unnumbered
    first = ('<p class="ss-toc-key-findings"><a href="#key-findings">Key findings</a></p>'
             if key_findings else "")
    items = [f'<li><a href="#{_esc(html.unescape(i))}">{_TAGS.sub("", t).strip()}</a></li>'
             for i, t in _H2.findall(body)]
    items.append('<li class="ss-toc-provenance"><a href="#provenance">Provenance</a></li>')
    return "<strong>Contents</strong>" + first + "<ol>" + "".join(items) + "</ol>"


def key_findings_html(lines: list[str]) -> str:
    """The box at the top of the report: one heading, the findings in order (escaped).

    Examples
    --------
    >>> key_findings_html(["Yes: <b>soon</b>."])
    '<section class="ss-key-findings"><h2 id="key-findings">Key findings</h2><ul><li>Yes: &lt;b&gt;soon&lt;/b&gt;.</li></ul></section>'
    >>> key_findings_html([])
    ''
    """
    if not lines:
        return ""
    items = "".join(f"<li>{_esc(x)}</li>" for x in lines)
    return f'<section class="ss-key-findings"><h2 id="key-findings">Key findings</h2><ul>{items}</ul></section>'


def parameter_value_text(value: Any) -> str:
    """A notebook parameter's value as a reader reads it (None is the cited default).

    Examples
    --------
    >>> [parameter_value_text(v) for v in (None, True, False, 1.0, "E4203", 10)]
    ['default', 'yes', 'no', '1.0', 'E4203', '10']
    """
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _help_words(text: str) -> str:
    """A schema's help as a reader reads it: Python's None/True/False as default/yes/no.

    Examples
    --------
    >>> _help_words("multiple of the cited ramp (None: the cited default); False: cash")
    'multiple of the cited ramp (default: the cited default); no: cash'
    """
    return re.sub(r"\bNone\b", "default", re.sub(r"\bFalse\b", "no", re.sub(r"\bTrue\b", "yes", text)))


def _parameter_rows(notebook_rel: str, parameters: dict[str, Any]) -> str:
    from sharedservices.errors import InputError
    from sharedservices.report import params as report_params

    try:
        helps = {p.name: p.help for p in report_params.describe(notebook_rel)}
    except InputError:  # a notebook without a registered schema: names and values only
        helps = {}
    rows = "".join(f"<tr><td><code>{_esc(k)}</code></td><td>{_esc(parameter_value_text(v))}</td>"
                   f"<td>{_esc(_help_words(helps.get(k, '')))}</td></tr>" for k, v in parameters.items())
    return ('<table class="ss-provenance-parameters"><thead><tr><th>Parameter</th><th>Value</th>'
            f"<th>Meaning</th></tr></thead><tbody>{rows}</tbody></table>") if rows else "none"


def _headline_rows(headlines: list[dict[str, Any]]) -> str:
    from sharedservices.report.format import headline_value

    rows = "".join(f"<tr><td>{_esc(h['caption'])}</td><td>{_esc(headline_value(h['value'], h['unit'], basis=True))}</td>"
                   f"<td><code>{_esc(h['name'])}</code></td></tr>" for h in headlines)
    return ('<table class="ss-provenance-headlines"><thead><tr><th>Headline</th><th>Value</th>'
            f"<th>Name in the report's JSON</th></tr></thead><tbody>{rows}</tbody></table>")


def provenance_html(notebook_rel: str, parameters: dict[str, Any],
                    prov: dict[str, Any], headlines: list[dict[str, Any]] | None = None) -> str:
    """The report's closing provenance section (all text escaped).

    Parameters (with their meaning from the notebook's schema) and the recorded headline
    values (written as the report writes numbers, with their machine names) are tables of
    their own before the build record.
    """
    git = prov.get("git", {})
    dirty = {True: "yes", False: "no", None: "unknown"}[git.get("dirty")]
    parts = ['<h2 id="provenance">Provenance</h2>',
             '<h3 id="provenance-parameters">Parameters of this report</h3>',
             _parameter_rows(notebook_rel, parameters)]
    if headlines:
        parts += ['<h3 id="provenance-headlines">Headline values recorded</h3>',
                  "<p>Rounded as the report writes them; the report's JSON file beside it keeps them at full precision.</p>",
                  _headline_rows(headlines)]
    rows = [
        ("Suite version", _esc(prov.get("suite_version"))),
        ("Git commit", f"<code>{_esc(git.get('commit'))}</code> (uncommitted changes: {dirty})"),
        ("Notebook", f"<code>{_esc(notebook_rel)}</code>"),
        ("Data files (sha256)", "<br>".join(f"<code>{_esc(k)}</code>: <code>{_esc(v)}</code>"
                                            for k, v in prov.get("data_files", {}).items())
         or "none"),
        ("Packages", ", ".join(f"{_esc(k)} {_esc(v)}" for k, v in prov.get("packages", {}).items())),
        ("Python", _esc(prov.get("python"))),
        ("Build time (UTC)", f'<span class="ss-build-time">{_esc(prov.get("build_time"))}</span>'),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    parts += ['<h3 id="provenance-build">Build</h3>', f'<table class="ss-provenance-build">{body}</table>']
    return "".join(parts)


_EXPORTER: Any = None
_EXPORTER_LOCK = threading.Lock()
_WARMED = False


def html_exporter() -> Any:
    """The report's nbconvert ``HTMLExporter`` (offline template), created once per process."""
    global _EXPORTER
    with _EXPORTER_LOCK:
        if _EXPORTER is None:
            from nbconvert import HTMLExporter

            _EXPORTER = HTMLExporter(template_name=TEMPLATE_NAME,
                                     extra_template_basedirs=[str(TEMPLATES_DIR)],
                                     exclude_input=True, exclude_input_prompt=True,
                                     exclude_output_prompt=True)
        return _EXPORTER


def warm_up() -> None:
    """Import nbconvert and compile the report template (worker: while the kernel runs).

    Converting an empty notebook loads and compiles every template the real conversion
    uses; the exporter keeps no state from one notebook to the next.  Failures are left to
    the real conversion, which reports them.
    """
    global _WARMED
    if _WARMED:
        return
    try:
        import nbformat

        html_exporter().from_notebook_node(nbformat.v4.new_notebook())
        _WARMED = True
    except Exception:  # noqa: BLE001 - the real export reports any problem
        pass


def to_html(nb: Any, title: str, subtitle: str, notebook_rel: str,
            parameters: dict[str, Any], prov: dict[str, Any],
            found: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """Convert a prepared notebook to the report's HTML (offline template).

    Title, subtitle and provenance go into the template's own slots (escaped there or
    built escaped); the contents, which need the converted body's headings, replace a
    random marker that no text of the notebook, title or parameters can contain.  So a
    title or council name holding markup or words such as ``__SS_TOC__`` is shown as text.
    """
    found = found or {}
    lines = [line for k in found.get("key_findings", []) for line in k.get("lines", [])]
    marker = f"<!--ss-toc-{secrets.token_hex(16)}-->"
    resources = {"sharedservices": {
        "title": title, "subtitle": subtitle, "toc_marker": marker,
        "key_findings": key_findings_html(lines),
        "provenance": provenance_html(notebook_rel, parameters, prov, found.get("headlines"))}}
    body, _ = html_exporter().from_notebook_node(nb, resources=resources)
    problems = find_remote_resources(body)
    if problems:
        raise ValueError(f"report would load network resources: {problems[0]}")
    if body.count(marker) != 1:
        raise ValueError("the report template did not place the contents exactly once")
    start = body.find('<div class="ss-body">')
    end = body.rfind('<section class="ss-provenance">')
    toc = _toc(body[max(start, 0):end if end > start else len(body)], key_findings=bool(lines))
    return body.replace(marker, toc, 1)


class _RemoteFinder(HTMLParser):
    ATTRS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "embed": "src",
             "source": "src", "video": "src", "audio": "src", "object": "data", "input": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        want = self.ATTRS.get(tag)
        for k, v in attrs:
            if v and (k == want or k == "srcset" or (tag == "image" and k.endswith("href"))) \
                    and _is_remote(v):
                self.found.append(f"<{tag} {k}={v}>")
            if k == "style" and v and _remote_css(v):
                self.found.append(f"<{tag} style> {_remote_css(v)[0]}")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(f"<style> {u}" for u in _remote_css(data))


def _is_remote(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http://", "https://", "//", "ftp://"))


def _remote_css(css: str) -> list[str]:
    return [m.group(0) for m in re.finditer(
        r"@import\s+(?:url\()?\s*['\"]?\s*(?:https?:)?//[^;]*|url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)",
        css, re.I)]


def find_remote_resources(page: str) -> list[str]:
    """Every resource the page would load from the network (empty list: self-contained).

    Links (``<a href>``) are allowed; scripts, styles, fonts, images and frames from a
    remote address, and remote CSS ``@import`` or ``url()``, are reported.

    Examples
    --------
    >>> find_remote_resources('<a href="https://gov.uk">source</a><img src="data:image/png;base64,AA">')
    []
    >>> find_remote_resources('<script src="https://cdn.example/x.js"></script>')
    ['<script src=https://cdn.example/x.js>']
    >>> find_remote_resources('<style>@import url("https://fonts.example/a.css");</style>')
    ['<style> @import url("https://fonts.example/a.css")']
    """
    finder = _RemoteFinder()
    finder.feed(page)
    finder.close()
    return finder.found


def _first_h1(nb: Any) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def _drop_first_h1(nb: Any) -> None:
    """Remove the notebook's title line (the first ``# ...``, as :func:`_first_h1` finds it)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            for i, line in enumerate(lines):
                if line.startswith("# "):
                    cell.source = "\n".join(lines[:i] + lines[i + 1:]).strip("\n")
                    return


def export_report(executed: Path | Any, staging: Path, name: str, title: str | None,
                  notebook_rel: str, parameters: dict[str, Any],
                  prov: dict[str, Any]) -> dict[str, Any]:
    """Write ``staging/NAME.html`` and ``staging/NAME/`` from an executed notebook.

    ``executed`` is the executed notebook's file, or the notebook itself (a
    ``NotebookNode``, as papermill returns it to a long-lived kernel's worker; it is
    rewritten in place).

    Returns
    -------
    dict
        ``title``, ``headlines`` (name -> value, unit, label), ``key_findings`` (lines),
        ``files`` (relative path -> sha256), ``html_sha256``.
    """
    import nbformat

    nb = nbformat.read(str(executed), as_version=4) if isinstance(executed, str | Path) else executed
    found = prepare(nb)
    title = title or _first_h1(nb) or name
    _drop_first_h1(nb)  # the template shows the report's own title; the notebook's goes
    subtitle = SUBTITLE
    page = to_html(nb, title, subtitle, notebook_rel, parameters, prov, found)
    html_path = staging / f"{name}.html"
    html_path.write_text(page, encoding="utf-8")
    out_dir = staging / name
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    common = {"report": name, "notebook": notebook_rel, "parameters": parameters,
              "suite_version": prov.get("suite_version"), "git": prov.get("git"),
              "build_time": prov.get("build_time")}

    def emit(fname: str, payload: bytes, meta: dict[str, Any]) -> None:
        path = out_dir / fname
        path.write_bytes(payload)
        sha = sha256_file(path)
        files[f"{name}/{fname}"] = sha
        side = {**common, "file": fname, "kind": meta["kind"], "name": meta["name"],
                "caption": meta["caption"], "sha256": sha}
        (out_dir / f"{fname}.provenance.json").write_text(
            json.dumps(side, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")

    for fig in found["figures"]:
        if fig["png"] is not None:
            emit(f"{fig['name']}.png", base64.b64decode(fig["png"]), fig)
        if fig["svg"] is not None:
            emit(f"{fig['name']}.svg", fig["svg"].encode("utf-8"), fig)
    for tab in found["tables"]:
        emit(f"{tab['name']}.csv", tab["csv"].encode("utf-8"), tab)
    lines = [line for k in found["key_findings"] for line in k.get("lines", [])]
    return {
        "title": title,
        "headlines": {h["name"]: {"value": h["value"], "unit": h["unit"], "label": h["caption"]}
                      for h in found["headlines"]},
        "key_findings": lines,
        "files": files,
        "html_sha256": sha256_file(html_path),
    }
