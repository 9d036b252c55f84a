"""Parameters of ``notebooks/00-data-overview.ipynb``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sharedservices.report.params import NotebookParams, register

FinancialYear = Literal["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18"]


@register("00-data-overview")
class DataOverviewParams(NotebookParams):
    """The data overview: which year the distributions show."""

    latest_year: FinancialYear = Field(
        "2014-15",
        description="financial year for the distributions (choices: 2010-11, 2011-12, "
        "2012-13, 2013-14, 2014-15, 2017-18)",
    )
