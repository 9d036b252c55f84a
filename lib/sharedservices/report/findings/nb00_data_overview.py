"""Headlines of ``notebooks/00-data-overview.ipynb``: the numbers its key findings quote.

:func:`headlines` (registered) reads them from the processed tables; :func:`finding_lines`
and the ``*_title`` functions write the key findings and the figure titles from them, every
number through :mod:`sharedservices.report.format` (money in cash, as the workbooks print it).
"""

from __future__ import annotations

import re

import pandas as pd

from sharedservices.inputs import data
from sharedservices.report import tables
from sharedservices.report.findings import Headlines, register
from sharedservices.report.format import change, count, gbp, gbp_bn, gbp_m, pct_value
from sharedservices.report.names import service_name

__all__ = ["finding_lines", "headlines", "per_head_title", "reserves_title", "service_mix_title",
           "spending_title"]


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


def _bn(x_gbp_bn: float) -> str:
    return gbp_bn(float(x_gbp_bn) * 1e6)


def _as_at(reserves_as_at: str) -> str:
    """The date part of a workbook's "reserves as at" note ("at 1 April 2014").

    >>> _as_at("Financial reserves levels at 1 April 2014"), _as_at("Reserves at 31 March 2018")
    ('at 1 April 2014', 'at 31 March 2018')
    >>> _as_at("Levels on the day")
    'as the workbook dates them: levels on the day'
    """
    m = re.search(r"\bat (.+)$", reserves_as_at.strip())
    return f"at {m.group(1)}" if m else f"as the workbook dates them: {reserves_as_at[:1].lower()}{reserves_as_at[1:]}"


def finding_lines(h: Headlines, reserves_as_at: str) -> list[str]:
    """The key findings of the data overview, from its headlines.

    Parameters
    ----------
    h : dict
        :func:`headlines` of the report.
    reserves_as_at : str
        How the year's workbook dates its reserve levels
        (:func:`sharedservices.inputs.data.reserves_as_at`).

    Examples
    --------
    >>> h = {"base_year": "2010-11", "sr_end_year": "2014-15", "year": "2014-15",
    ...      "nce_base_gbp_bn": 121.2, "nce_sr_end_gbp_bn": 112.4, "nce_change_pct": -7.24,
    ...      "education_change_pct": -23.9, "social_care_change_pct": 7.2,
    ...      "largest_service": "education", "largest_share_pct": 37.8, "exact_years": 5, "years": 6,
    ...      "shortfall_year": "2017-18", "shortfall_gbp_m": 29.5, "authorities_min": 444,
    ...      "authorities_max": 445, "reserves_total_gbp_bn": 16.3, "reserves_median_pct": 61.0,
    ...      "with_population": 327, "principal_councils": 353}
    >>> lines = finding_lines(h, "Financial reserves levels at 1 April 2014")
    >>> lines[0]
    'Net current expenditure of English authorities fell from £121.2bn in 2010-11 to £112.4bn in 2014-15 (£bn, cash): 7.2% less than in 2010-11, before allowing for inflation.'
    >>> lines[1].split(". ")[1]
    "Social care (children's plus adult) rose 7.2% in cash terms over the same years."
    """
    base, end, year = h["base_year"], h["sr_end_year"], h["year"]
    nce = (f"Net current expenditure of English authorities "
           f"{'fell' if h['nce_change_pct'] < 0 else 'rose'} from {_bn(h['nce_base_gbp_bn'])} in {base} to "
           f"{_bn(h['nce_sr_end_gbp_bn'])} in {end} (£bn, cash): "
           f"{change(h['nce_change_pct'], 1, 'more', 'less', 'no different', size_first=True)} than in {base}, "
           "before allowing for inflation.")
    # one basis per sentence: each service's change is a % of its own 2010-11 spending
    services = (f"Education spending {change(h['education_change_pct'])} in cash terms from {base} to {end}, "
                "partly because schools became academies funded directly by central government. Social care "
                f"(children's plus adult) {change(h['social_care_change_pct'])} in cash terms over the same years.")
    largest = (f"{service_name(str(h['largest_service']))} is the largest service line in {year}: "
               f"{pct_value(h['largest_share_pct'])} of total service expenditure in England.")
    lo, hi = h["authorities_min"], h["authorities_max"]
    each = f"{count(lo)} authorities a year" if lo == hi else f"{count(lo)} to {count(hi)} authorities a year"
    if h["exact_years"] == h["years"]:
        sums = f"in every one of the {count(h['years'])} years the authorities add up exactly to the published ENGLAND rows."
    else:
        short = h["shortfall_gbp_m"]
        gap = (f"fall {gbp_m(short)} short" if short > 0 else f"come to {gbp_m(-short)} more than the published row")
        sums = (f"in {count(h['exact_years'])} of {count(h['years'])} years the authorities add up exactly to the "
                f"published ENGLAND rows, and in {h['shortfall_year']} they {gap} (net current expenditure, cash) "
                "because one council was not collected.")
    coverage = f"The data cover {each}; {sums}"
    reserves = (f"Principal councils held {_bn(h['reserves_total_gbp_bn'])} of usable reserves "
                f"{_as_at(reserves_as_at)} (£bn, cash; the {year} workbook). The median council's usable reserves were "
                f"{pct_value(h['reserves_median_pct'])} of its net revenue expenditure.")
    population = (f"{count(h['with_population'])} of {count(h['principal_councils'])} principal councils have an "
                  "exact Census 2011 population; the rest merged after 2011 and are left without one rather than "
                  "estimated.")
    return [nce, services, largest, coverage, reserves, population]


def spending_title(h: Headlines) -> str:
    """Title of the figure of England's spending by service.

    Examples
    --------
    >>> spending_title({"largest_service": "education", "education_change_pct": -23.9,
    ...                 "base_year": "2010-11", "sr_end_year": "2014-15"})
    'Education is the largest line; its spending fell 24% in cash terms from 2010-11 to 2014-15'
    """
    whose = "its spending" if h["largest_service"] == "education" else "education spending"
    return (f"{service_name(str(h['largest_service']))} is the largest line; {whose} "
            f"{change(h['education_change_pct'], 0)} in cash terms from {h['base_year']} to {h['sr_end_year']}")


def service_mix_title(mix: pd.DataFrame, year: str) -> str:
    """Title of the service-mix figure: the largest line of unitaries and of shire districts.

    Parameters
    ----------
    mix : DataFrame
        :func:`sharedservices.report.tables.service_mix` (% of total service expenditure,
        classes by services).

    Examples
    --------
    >>> mix = pd.DataFrame({"education": [55.2, 0.0], "central": [5.0, 30.4]},
    ...                    index=pd.Index(["UA", "SD"], name="class"))
    >>> service_mix_title(mix, "2014-15")
    'In 2014-15 the largest line was education for unitary authorities (55% of their total service expenditure) and central services for shire districts (30% of their total service expenditure)'
    """
    top = tables.largest_line_by_class(mix)
    ua, sd = top["UA"], top["SD"]
    return (f"In {year} the largest line was {service_name(ua).lower()} for unitary authorities "
            f"({pct_value(mix.loc['UA', ua], 0)} of their total service expenditure) and "
            f"{service_name(sd).lower()} for shire districts ({pct_value(mix.loc['SD', sd], 0)} of their total service expenditure)")


def per_head_title(h: Headlines, year: str) -> str:
    """Title of the spending-per-head figure (£ per resident, cash).

    Examples
    --------
    >>> per_head_title({"per_head_median_L": 1234.4, "per_head_median_SD": 170.2}, "2014-15")
    'The median London borough spent £1,234 per resident in 2014-15 (cash), the median shire district £170'
    """
    return (f"The median London borough spent {gbp(h['per_head_median_L'])} per resident in {year} (cash), "
            f"the median shire district {gbp(h['per_head_median_SD'])}")


def reserves_title(median_by_class: pd.Series, year: str) -> str:
    """Title of the reserves figure: the class whose median council held the most.

    Parameters
    ----------
    median_by_class : Series
        Median usable reserves, % of net revenue expenditure, by class.

    Examples
    --------
    >>> reserves_title(pd.Series({"SC": 20.4, "SD": 88.6}), "2014-15")
    'The median council among shire districts held usable reserves of 89% of its net revenue expenditure, the highest of any class (2014-15 workbook)'
    """
    top = median_by_class.idxmax()
    return (f"The median council among {data.CLASS_NAMES[top]} held usable reserves of "
            f"{pct_value(median_by_class.max(), 0)} of its net revenue expenditure, the highest of any class "
            f"({year} workbook)")
