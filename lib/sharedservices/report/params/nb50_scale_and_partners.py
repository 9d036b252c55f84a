"""Parameters of ``notebooks/50-scale-and-partners.ipynb``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sharedservices.report.params import Council, NotebookParams, register

ScaleYear = Literal["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18"]
DiagnosticService = Literal[
    "central", "cultural", "environmental_regulatory", "planning_development", "housing",
    "highways_transport", "adult_social_care", "childrens_social_care",
]


@register("50-scale-and-partners")
class ScaleAndPartnersParams(NotebookParams):
    """Economies of scale nationally, then candidate partners for one council."""

    council: Council = Field(
        "E2532", description="RS code (E2532) or ONS code (E07000137) of the council"
    )
    year: ScaleYear = Field(
        "2011-12", description="financial year of the spending the scale models are fitted on"
    )
    n_near: int = Field(5, ge=1, le=15, description="how many near partners (same county or region)")
    n_far: int = Field(5, ge=1, le=15, description="how many far partners (similar class and size elsewhere)")
    diagnostic_service: DiagnosticService = Field(
        "central", description="service line whose residuals and influential councils are shown"
    )
