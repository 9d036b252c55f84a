"""Parameters of ``notebooks/10-front-loading.ipynb`` (choices only, no policy numbers)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sharedservices.report.params import NotebookParams, register

CouncilClass = Literal["all", "SC", "SD", "UA", "MD", "L"]


@register("10-front-loading")
class FrontLoadingParams(NotebookParams):
    """How front-loaded the 2010 Spending Review cuts were, for one class or all councils."""

    council_class: CouncilClass = Field(
        "all", description="class of principal council to include (choices: all, SC, SD, UA, MD, L)"
    )
    deflate: bool = Field(
        True, description="funding and spending paths in real 2010-11 prices (False: cash)"
    )
