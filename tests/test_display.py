"""Display helpers: tagging, determinism, validation."""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sharedservices.errors import InputError  # noqa: E402
from sharedservices.report import display  # noqa: E402


@pytest.fixture
def published(monkeypatch):
    calls: list[tuple[dict, dict]] = []
    monkeypatch.setattr(display, "_publish", lambda data, meta: calls.append((data, meta)))
    return calls


def _fig():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [3, 1, 2], label="gap")
    ax.set_title("Funding gap")
    ax.legend()
    return fig


def test_show_figure_tags_and_closes(published):
    fig = _fig()
    display.show_figure(fig, "funding-gap", "The funding gap, 2010-11 prices")
    [(data, meta)] = published
    assert meta == {"kind": "figure", "name": "funding-gap",
                    "caption": "The funding gap, 2010-11 prices"}
    assert base64.b64decode(data["image/png"])[:4] == b"\x89PNG"
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    assert "<dc:date>" not in data["image/svg+xml"]
    assert not plt.fignum_exists(fig.number)


def test_figure_svg_identical_across_renders(published):
    display.show_figure(_fig(), "a", "A")
    display.show_figure(_fig(), "a", "A")
    assert published[0][0] == published[1][0]


def test_show_table_formats_and_carries_csv(published):
    df = pd.DataFrame({"council": ["<b>X</b>"], "gap_gbp_thousand": [1234567.891], "n": [3]})
    display.show_table(df, "gaps", "Gap by council")
    [(data, meta)] = published
    assert "1,234,567.9" in data["text/html"] and "&lt;b&gt;X&lt;/b&gt;" in data["text/html"]
    assert meta["kind"] == "table"
    assert "1234567.891" in meta["csv"] and meta["csv"].splitlines()[0] == "council,gap_gbp_thousand,n"


def test_key_findings_and_headline(published):
    display.key_findings(["Cuts came first.", "Savings came later."])
    display.headline("payback-year", 2016, "year", "Payback year")
    assert published[0][1]["lines"] == ["Cuts came first.", "Savings came later."]
    assert published[1][1] == {"kind": "headline", "name": "payback-year",
                               "caption": "Payback year", "value": 2016, "unit": "year"}


@pytest.mark.parametrize("name", ["Has Space", "", "../x", "a/b", None, "x" * 81])
def test_bad_names_rejected(published, name):
    with pytest.raises(InputError, match="output name"):
        display.check_name(name)


def test_bad_inputs_rejected(published):
    with pytest.raises(InputError, match="not finite"):
        display.headline("x", float("nan"), "gbp", "X")
    with pytest.raises(InputError, match="key findings"):
        display.key_findings([])
    with pytest.raises(InputError, match="caption"):
        display.show_table(pd.DataFrame({"a": [1]}), "a", "")


def test_axes_accepted_and_non_figures_rejected(published):
    fig, ax = plt.subplots()
    display.show_figure(ax, "from-axes", "Drawn on an Axes")
    assert published[0][1]["name"] == "from-axes" and not plt.fignum_exists(fig.number)
    with pytest.raises(InputError, match="is not a matplotlib Figure"):
        display.show_figure("nope", "x", "X")
