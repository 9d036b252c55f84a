"""Titles of the reports one notebook makes for one council (``run`` and ``batch``).

A per-council notebook's first heading is written for any council ("Can shared services
close this council's funding gap in time?").  Its title for one council puts the council's
name (:func:`sharedservices.inputs.data.short_name`: "Bristol", not "Bristol UA") in place
of the first "this council" or "one council" (possessive kept) or "a council": "Can shared
services close Bristol's funding gap in time?".  A heading with none of these phrases gets
the name in front ("Bristol: ..."), so every title names its council.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["council_title", "first_heading", "report_title"]

#: The phrases of a heading that stand for the council (the first one found is replaced).
_COUNCIL_PHRASE = re.compile(r"\b(?:this|one|a)\s+council(?P<own>['’]s)?\b", re.IGNORECASE)


def first_heading(notebook: Path | str) -> str | None:
    """The text of the notebook's first level-1 heading (``# ...`` in a markdown cell), or None.

    Examples
    --------
    >>> from sharedservices.inputs.paths import ROOT
    >>> first_heading(ROOT / "notebooks/30-payback-vs-cuts.ipynb")
    "Can shared services close this council's funding gap in time?"
    >>> first_heading("no-such.ipynb") is None
    True
    """
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(map(str, source)) if isinstance(source, list) else str(source)
        for line in text.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return None


def council_title(heading: str, council: str) -> str:
    """``heading`` written for one council (see the module docstring).

    Examples
    --------
    >>> council_title("Can shared services close this council's funding gap in time?", "Bristol")
    "Can shared services close Bristol's funding gap in time?"
    >>> council_title("How sure is the payback? Uncertainty in one council's shared-service savings", "Kent")
    "How sure is the payback? Uncertainty in Kent's shared-service savings"
    >>> council_title("Do bigger councils spend less per head, and who could a council share services with?", "Wigan")
    'Do bigger councils spend less per head, and who could Wigan share services with?'
    >>> council_title("Fixture council report", "Camden")
    'Camden: Fixture council report'
    """
    def name(m: re.Match[str]) -> str:
        return council + ("'s" if m.group("own") else "")

    titled, n = _COUNCIL_PHRASE.subn(name, heading, count=1)
    return titled if n else f"{council}: {heading}"


def report_title(notebook: Path | str, council: str) -> str:
    """The title of ``notebook``'s report for the council named ``council`` (its short name):
    its first heading written for that council, or the name alone if it has no heading.

    Examples
    --------
    >>> from sharedservices.inputs.paths import ROOT
    >>> report_title(ROOT / "notebooks/50-scale-and-partners.ipynb", "Bristol")
    'Do bigger councils spend less per head, and who could Bristol share services with?'
    """
    heading = first_heading(notebook)
    return council_title(heading, council) if heading else council
