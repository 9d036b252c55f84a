"""sharedservices.report.figures and style: every figure has a finding, units and a source line."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sharedservices.inputs import data  # noqa: E402
from sharedservices.report import figures, style, tables  # noqa: E402


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _check(fig, title: str, x: str) -> None:
    assert fig._suptitle is not None and fig._suptitle.get_text().replace("\n", " ") == title
    assert fig.axes[0].get_xlabel() == x
    assert any(t.startswith("Source:") for t in _texts(fig))


def test_england_services_draws_the_largest_lines() -> None:
    by = tables.england_by_service(data.spending())
    fig = figures.england_services(by, "Education fell", top=3)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3 and ax.get_ylabel() == "£bn, cash"
    _check(fig, "Education fell", ax.get_xlabel())


def test_service_mix_stacks_every_class() -> None:
    mix = tables.service_mix(data.spending(), data.councils(), "2014-15")
    fig = figures.service_mix(mix, "Mix differs by class")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("SC") and len(labels) == len(mix)
    _check(fig, "Mix differs by class", "% of total service expenditure")


def test_distribution_names_councils_beyond_the_axis() -> None:
    df = pd.DataFrame({"class": ["UA"] * 99 + ["L"], "name": [f"c{i}" for i in range(99)] + ["Outlier"],
                       "v": [float(i) for i in range(99)] + [10_000.0]})
    fig = figures.distribution_by_class(df, "v", "One council is far out", x_label="£ per head",
                                        value_format="£{:,.0f}")
    assert fig.axes[0].get_xlim()[1] < 10_000
    assert any("Outlier (£10,000)" in t.get_text() for t in fig.axes[0].texts)
    _check(fig, "One council is far out", "£ per head")


def test_finish_rejects_an_empty_title() -> None:
    fig, ax = style.new_figure()
    with pytest.raises(ValueError, match="figure title"):
        style.finish(fig, ax, " ", x=None, y=None)


def test_palette_is_distinct_per_class() -> None:
    assert len(set(style.CLASS_COLOURS.values())) == len(style.CLASS_COLOURS)
