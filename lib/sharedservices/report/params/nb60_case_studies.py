"""Parameters of ``notebooks/60-case-studies.ipynb``."""

from __future__ import annotations

from pydantic import Field

from sharedservices.report.params import NotebookParams, register
from sharedservices.report.params.scenario_fields import Programme


@register("60-case-studies")
class CaseStudiesParams(NotebookParams):
    """The model with its default assumptions against reported case-study outcomes."""

    programme_override: Programme | None = Field(
        None, description="one programme preset for every case (None: each case's matching preset)"
    )
