"""Parameters of ``notebooks/20-savings-potential.ipynb`` (choices only, no policy numbers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sharedservices.report.params import NotebookParams, register

ServiceMixYear = Literal["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18"]


@register("20-savings-potential")
class SavingsPotentialParams(NotebookParams):
    """What sharing could save, from each council's own service mix in one year."""

    year: ServiceMixYear = Field(
        "2010-11",
        description="year of each council's service mix (choices: 2010-11, 2011-12, 2012-13, "
        "2013-14, 2014-15, 2017-18)",
    )
    savings_multiplier: float = Field(
        1.0, ge=0, le=3, description="multiplier on every cited savings rate (1.0: as cited)"
    )
