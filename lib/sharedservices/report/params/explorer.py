"""Parameters of ``notebooks/explorer.ipynb``: only the council the explorer starts on.

Every other control of the explorer is built from
:class:`~sharedservices.report.params.scenario_fields.ScenarioParams` by
:mod:`sharedservices.report.explorer`, so the explorer and the reports cannot drift apart.
"""

from __future__ import annotations

from pydantic import Field

from sharedservices.report.params import Council, NotebookParams, register


@register("explorer")
class ExplorerParams(NotebookParams):
    """The live explorer: which council it opens on."""

    council: Council = Field(
        "E2532",
        description="council the explorer opens on: RS code (E2532) or ONS code (E07000137)",
    )
