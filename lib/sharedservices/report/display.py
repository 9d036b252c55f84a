"""The one display path: show a figure, table, key findings or headline in a notebook.

Every helper displays its object and tags the output's metadata with::

    {"sharedservices": {"kind": "figure" | "table" | "key_findings" | "headline",
                        "name": ..., "caption": ..., ...}}

The build (:mod:`sharedservices.pipeline.export`) reads the executed notebook and writes
``reports/NAME/<name>.png|svg|csv`` with provenance sidecars; headlines go into
``reports/NAME.json`` and the first key finding into ``reports/index.html``.  Figure and
table functions elsewhere do no I/O; notebooks pass their results to these helpers.

Figures are rendered deterministically (fixed SVG hash salt, no date in the SVG or PNG
metadata) so that two builds of the same inputs give the same HTML, and each figure is
closed after it is shown.  They are rendered in the formats :func:`figure_formats` names:
PNG and SVG unless the environment variable ``SHAREDSERVICES_FIGURE_FORMATS`` says
otherwise (``batch`` renders SVG only by default: the report embeds the SVG, and the PNG
took most of a council's rendering time).
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import re
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

from sharedservices.errors import InputError
from sharedservices.report import prose

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

#: Metadata key under which every tagged output carries its description.
META_KEY = "sharedservices"
#: Allowed output names: lower-case slug, used as a file name under reports/NAME/.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
#: Salt for matplotlib's SVG ids: fixed, so two renders of one figure are byte-identical.
SVG_HASH_SALT = "sharedservices"
_PNG_DPI = 150
#: Environment variable naming the formats figures are rendered in (comma-separated).
FIGURE_FORMATS_ENV = "SHAREDSERVICES_FIGURE_FORMATS"
#: Every format a figure can be rendered in, and the default (both).
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg")


def check_figure_formats(value: object, what: str = "figure formats") -> tuple[str, ...]:
    """The figure formats named by ``value`` ("svg", "png,svg", or a list), in canonical order.

    Examples
    --------
    >>> check_figure_formats("svg"), check_figure_formats("svg, png"), check_figure_formats(["png"])
    (('svg',), ('png', 'svg'), ('png',))
    >>> check_figure_formats("gif")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: figure formats: 'gif' is not a list of figure formats (allowed: png, svg, or png,svg)
    """
    items = value.split(",") if isinstance(value, str) else value
    try:
        chosen = {str(x).strip().lower() for x in items}  # type: ignore[union-attr]
    except TypeError:
        chosen = set()
    if not chosen or not chosen <= set(FIGURE_FORMATS):
        raise InputError(f"{what}: {value!r} is not a list of figure formats (allowed: png, svg, or png,svg)")
    return tuple(f for f in FIGURE_FORMATS if f in chosen)


def figure_formats() -> tuple[str, ...]:
    """The formats :func:`show_figure` renders: ``$SHAREDSERVICES_FIGURE_FORMATS``, else both."""
    raw = os.environ.get(FIGURE_FORMATS_ENV, "").strip()
    return check_figure_formats(raw, FIGURE_FORMATS_ENV) if raw else FIGURE_FORMATS


def check_name(name: object) -> str:
    """Return ``name`` if it is a valid output name, else raise :class:`InputError`.

    Parameters
    ----------
    name : object
        Proposed output name: 1-80 characters of ``a-z``, ``0-9``, ``-`` and ``_``,
        starting with a letter or digit (it becomes a file name).

    Examples
    --------
    >>> check_name("funding-gap-by-class")
    'funding-gap-by-class'
    >>> check_name("Bad Name")
    Traceback (most recent call last):
    ...
    sharedservices.errors.InputError: output name: 'Bad Name' is not a slug (allowed: lower-case letters, digits, '-' and '_', up to 80 characters)
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise InputError(
            f"output name: {name!r} is not a slug "
            "(allowed: lower-case letters, digits, '-' and '_', up to 80 characters)"
        )
    return name


def _check_caption(caption: object) -> str:
    if not isinstance(caption, str) or not caption.strip():
        raise InputError(f"caption: {caption!r} is not a non-empty string (allowed: one line of text)")
    return " ".join(caption.split())


def _publish(data: dict[str, Any], meta: dict[str, Any]) -> None:
    from IPython.display import display

    display(data, raw=True, metadata={META_KEY: meta})


def render_figure(fig: Figure, formats: tuple[str, ...] = FIGURE_FORMATS) -> tuple[bytes, str]:
    """Render ``fig`` to PNG bytes and SVG text, deterministically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render; it is not closed here.
    formats : tuple of str
        The formats to render (``"png"``, ``"svg"``); one left out comes back empty.

    Returns
    -------
    tuple of (bytes, str)
        PNG image (150 dpi) and SVG document, with no creation date and fixed element ids
        (``b""`` or ``""`` for a format not rendered).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> png1, svg1 = render_figure(fig)
    >>> png2, svg2 = render_figure(fig)
    >>> (png1 == png2, svg1 == svg2, png1[:4])
    (True, True, b'\\x89PNG')
    >>> plt.close(fig)
    """
    import matplotlib

    png_buf = io.BytesIO()
    svg_buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "path"}):
        if "png" in formats:
            fig.savefig(png_buf, format="png", dpi=_PNG_DPI, bbox_inches="tight",
                        metadata={"Software": None})
        if "svg" in formats:
            fig.savefig(svg_buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return png_buf.getvalue(), svg_buf.getvalue()


def show_figure(fig: Figure, name: str, caption: str) -> None:
    """Display a figure (PNG and SVG, or the formats of :func:`figure_formats`) tagged for
    export, then close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure built by a function in :mod:`sharedservices.report.figures` (which does no I/O);
        an object with a ``.figure`` (seaborn grids, Axes) is accepted too.
    name : str
        Output name (slug); the build writes ``reports/NAME/<name>.png`` and ``.svg``.
    caption : str
        One-line caption shown under the figure in the report.
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    name = check_name(name)
    caption = _check_caption(caption)
    if not isinstance(fig, Figure) and isinstance(getattr(fig, "figure", None), Figure):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise InputError(f"figure {name!r}: {type(fig).__name__} is not a matplotlib Figure "
                         "(allowed: a Figure, or an object with a .figure)")
    formats = figure_formats()
    png, svg = render_figure(fig, formats)
    plt.close(fig)
    data = {"text/plain": f"Figure {name}: {caption}"}
    if "png" in formats:
        data["image/png"] = base64.b64encode(png).decode("ascii")
    if "svg" in formats:
        data["image/svg+xml"] = svg
    _publish(data, {"kind": "figure", "name": name, "caption": caption})


def _format_number(value: Any, decimals: int) -> str:
    from sharedservices.report import format as fmt

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return fmt.number(int(value), 0)
    if isinstance(value, Real):
        if math.isinf(float(value)):
            return "unbounded" if float(value) > 0 else f"{fmt.MINUS}unbounded"
        return fmt.number(float(value), decimals)
    return str(value)


def _code_names() -> dict[str, str]:
    from sharedservices.report.names import PROGRAMME_LABELS, SERVICE_LABELS

    return {**SERVICE_LABELS, **PROGRAMME_LABELS}


#: Service and programme codes a table shows by name, in its cells and its headers.
_CODE_NAMES = _code_names()
#: Tables of at most this many rows are kept on one printed page (longer ones flow on).
SHORT_TABLE_ROWS = 20
#: Quality ratings shown as coloured badges that also carry the word.
RAG = ("green", "amber", "red")
_URL = re.compile(r"^https?://\S+$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def table_html(df: pd.DataFrame, decimals: int | dict[str, int] = 1) -> str:
    """Render ``df`` as the report's HTML table: human headers, numbers formatted, no index.

    A named or non-default index becomes the first columns; headers are written by
    :func:`sharedservices.report.format.column_header`; numbers get thousands separators,
    the minus sign U+2212 and no negative zero; ``True``/``False`` read yes/no.  Columns
    holding web addresses become links (a ``source_title`` column next to ``source_url``
    becomes one linked "Source" column); a column of quality ratings (green, amber, red)
    becomes coloured badges that also carry the word; a ``key`` column is set as code (an
    assumption's key, to find it in ``data/assumptions/``); service and programme codes, in
    cells and headers, are written by name (:mod:`sharedservices.report.names`), and so are
    class codes (SC, SD, UA, MD, L) in a ``class`` column or as headers.  Columns with no value at
    all are left out, and so is a model-year ``year`` column beside a ``financial_year`` (the
    CSV keeps both).  A table with no rows says "None." instead of printing empty.  All text is
    HTML-escaped.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to render.
    decimals : int or dict of str to int, default 1
        Decimal places for float columns, for all columns or per column name.

    Returns
    -------
    str
        ``<table class="dataframe ss-table">`` markup.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"council": ["A & B"], "gap_gbp_thousand": [-12345.678]})
    >>> out = table_html(df)
    >>> "A &amp; B" in out, "−12,345.7" in out, "Gap (£ thousand)</th>" in out, "<tbody>" in out
    (True, True, True, True)
    >>> rag = pd.DataFrame({"key": ["a.b"], "quality": ["red"], "source_title": ["T"],
    ...                     "source_url": ["https://x.org/p?a=1&b=2"], "price_base": [None]})
    >>> out = table_html(rag)
    >>> '<span class="ss-rag ss-rag-red">red</span>' in out, '<a href="https://x.org/p?a=1&amp;b=2">T</a>' in out
    (True, True)
    >>> "<code>a.<wbr>b</code>" in out, "Price base" in out, "Source URL" in out
    (True, False, False)
    >>> out = table_html(pd.DataFrame({"programme": ["back_office"], "adult_social_care": [1.0]}))
    >>> ">Back office only<" in out, ">Adult social care</th>" in out
    (True, True)
    >>> ">no population<" in table_html(pd.DataFrame({"reason": ["no_population"]}))
    True
    >>> table_html(pd.DataFrame({"ecode": []}))
    '<p class="ss-empty-table">None.</p>'
    >>> out = table_html(pd.DataFrame({"year": [0], "financial_year": ["2010-11"], "SC": [1.0], "class": ["L"]}))
    >>> ">Year<" in out, ">Shire counties</th>" in out, ">London boroughs<" in out
    (False, True, True)
    """
    import pandas as pd

    from sharedservices.inputs.data import CLASS_NAMES
    from sharedservices.report import format as fmt

    if df.empty:
        return '<p class="ss-empty-table">None.</p>'
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        df = df.reset_index()
    df = df.loc[:, [c for c in df.columns if not all(_is_missing(v) for v in df[c].tolist())
                    and not (str(c) == "year" and "financial_year" in df.columns)]]
    classes = {k: v[:1].upper() + v[1:] for k, v in CLASS_NAMES.items()}
    cols = [str(c) for c in df.columns]
    df.columns = cols
    linked_title = "source_title" in cols and "source_url" in cols
    numeric = {c: pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
               for c in cols}
    rag = {c: not numeric[c] and all(_is_missing(v) or v in RAG for v in df[c].tolist())
           and any(v in RAG for v in df[c].tolist()) for c in cols}
    shown = [c for c in cols if not (linked_title and c == "source_url")]

    def cell(c: str, v: Any, row: pd.Series) -> str:
        if numeric[c]:
            d = decimals.get(c, 1) if isinstance(decimals, dict) else decimals
            return _format_number(v.item() if hasattr(v, "item") else v, d)
        if _is_missing(v):
            return ""
        if isinstance(v, bool):
            return "yes" if v else "no"
        text = str(v)
        if rag[c]:
            return f'<span class="ss-rag ss-rag-{text}">{html.escape(text)}</span>'
        if c == "source_title" and linked_title and isinstance(row["source_url"], str) \
                and _URL.match(row["source_url"]):
            return _link(row["source_url"], text)
        if _URL.match(text):
            return _link(text, text)
        if text in _CODE_NAMES:  # a service or programme code: its name
            return html.escape(_CODE_NAMES[text])
        if c == "class" and text in classes:
            return html.escape(classes[text])
        if _SNAKE.match(text) and c != "key":  # any other code: its words (the CSV keeps the code)
            return html.escape(text.replace("_", " "))
        if c == "key":  # a long key may break after its dots and underscores only
            return "<code>" + re.sub(r"([._])", r"\1<wbr>", html.escape(text)) + "</code>"
        return html.escape(text)

    def klass(c: str) -> str:
        return "ss-num" if numeric[c] else "ss-rag-cell" if rag[c] else "ss-text"

    def header(c: str) -> str:
        if linked_title and c == "source_title":
            return "Source"
        return ("Assumption (key)" if c == "key" else _CODE_NAMES.get(c) or classes.get(c)
                or fmt.column_header(c))

    head = "".join(f'<th scope="col" class="{klass(c)}">{html.escape(header(c))}</th>' for c in shown)
    body = "".join(
        "<tr>" + "".join(f'<td class="{klass(c)}">{cell(c, row[c], row)}</td>' for c in shown) + "</tr>"
        for _, row in df.iterrows())
    short = " ss-table-short" if len(df) <= SHORT_TABLE_ROWS else ""
    return (f'<table class="dataframe ss-table{short}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def show_table(df: pd.DataFrame, name: str, caption: str,
               decimals: int | dict[str, int] = 1) -> None:
    """Display a table (HTML, numbers formatted) tagged for export with its CSV text.

    Parameters
    ----------
    df : pandas.DataFrame
        Table built by a function in :mod:`sharedservices.report.tables`.
    name : str
        Output name (slug); the build writes ``reports/NAME/<name>.csv`` (full precision).
    caption : str
        One-line caption shown above the table in the report.
    decimals : int or dict of str to int, default 1
        Decimal places shown for float columns (the CSV keeps full precision).
    """
    import pandas as pd

    name = check_name(name)
    caption = _check_caption(caption)
    csv_text = df.to_csv(index=not isinstance(df.index, pd.RangeIndex), lineterminator="\n")
    _publish(
        {"text/html": table_html(df, decimals), "text/plain": f"Table {name}: {caption}"},
        {"kind": "table", "name": name, "caption": caption, "csv": csv_text},
    )


def key_findings(lines: list[str]) -> None:
    """Display a "Key findings" block and record its lines for the report index.

    Parameters
    ----------
    lines : list of str
        One finding per item, most important first (the index shows the first).  Each
        sentence keeps one percentage basis, named with every percentage
        (:func:`sharedservices.report.prose.basis_problems`); a line that does not is refused.
    """
    if not isinstance(lines, list | tuple) or not lines or not all(
        isinstance(x, str) and x.strip() for x in lines
    ):
        raise InputError(f"key findings: {lines!r} is not a list of non-empty strings "
                         "(allowed: one finding per item)")
    clean = [" ".join(x.split()) for x in lines]
    problems = [p for x in clean for p in prose.basis_problems(x)]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"key findings: {problems[0]}{more} (allowed: one percentage basis per sentence, "
                         "named with every percentage)")
    items = "".join(f"<li>{html.escape(x)}</li>" for x in clean)
    _publish(
        {
            "text/html": f'<div class="ss-key-findings"><h4>Key findings</h4><ul>{items}</ul></div>',
            "text/markdown": "**Key findings**\n\n" + "\n".join(f"- {x}" for x in clean),
            "text/plain": "Key findings:\n" + "\n".join(f"- {x}" for x in clean),
        },
        {"kind": "key_findings", "name": "key-findings", "caption": "Key findings",
         "lines": clean},
    )


def note(text: str) -> None:
    """Display one paragraph of computed text (a price-base or source note).

    Parameters
    ----------
    text : str
        Plain text; shown escaped, white space collapsed.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"note: {text!r} is not text (allowed: a non-empty string)")
    clean = " ".join(text.split())
    _publish({"text/html": f'<p class="ss-note">{html.escape(clean)}</p>', "text/markdown": clean,
              "text/plain": clean}, {"kind": "note", "name": "note", "caption": clean[:120]})


def headline(name: str, value: float | int | str | None, unit: str, label: str) -> None:
    """Record a headline value for ``reports/NAME.json`` and show it as one small line.

    Parameters
    ----------
    name : str
        Headline name (slug), the key in the manifest's ``headlines``.
    value : float, int, str or None
        The value (finite if numeric; numpy scalars accepted).
    unit : str
        Unit in words, e.g. ``"gbp_thousand, 2010-11 prices"`` or ``"year"``.
    label : str
        Plain-language label, e.g. ``"Payback year, realistic case"``.
    """
    name = check_name(name)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"headline {name!r}: {value!r} is not finite (allowed: a finite number)")
    if value is not None and not isinstance(value, int | float | str):
        raise InputError(f"headline {name!r}: {value!r} is not a number or text "
                         "(allowed: int, float, str or None)")
    label = _check_caption(label)
    unit = str(unit)
    shown = _format_number(value, 2) if isinstance(value, int | float) else str(value)
    text = f"{label}: {shown} {unit}".strip()
    _publish(
        {"text/html": f'<p class="ss-headline">{html.escape(text)}</p>', "text/plain": text},
        {"kind": "headline", "name": name, "caption": label, "value": value, "unit": unit},
    )
