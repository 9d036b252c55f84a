"""Headlines of ``notebooks/00-data-overview.ipynb``: the numbers its key findings quote."""

from __future__ import annotations

from sharedservices.inputs import data
from sharedservices.report import tables
from sharedservices.report.findings import Headlines, register


@register("00-data-overview")
def headlines(latest_year: str = "2014-15") -> Headlines:
    """:func:`sharedservices.report.tables.overview_numbers`, flattened (``per_head_median_<class>``).

    Money: £bn or £m cash, as the workbooks print it; per head: £ per Census 2011 resident.
    """
    n = tables.overview_numbers(data.spending(), data.finance(), data.councils(), data.england(),
                                latest_year)
    out: Headlines = {k: v for k, v in n.items() if not isinstance(v, dict)}
    out.update({f"per_head_median_{k}": v for k, v in n["per_head_median"].items()})
    return out
