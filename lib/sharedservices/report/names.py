"""The words the reports use for the suite's codes: services, programmes, cut paths.

One place, so a table, a figure and a sentence name a service or a programme alike.

Examples
--------
>>> service_name("environmental_regulatory"), programme_name("broad")
('Environmental and regulatory (incl. waste)', "Broad (+ adult and children's social care)")
>>> cut_path_name("actual")
"the council's actual like-for-like outturn"
"""

from __future__ import annotations

__all__ = ["CORE_SPENDING", "CUT_PATH_NAMES", "PROGRAMME_LABELS", "SERVICE_LABELS", "cut_path_name", "programme_name",
           "service_name"]

#: RS service lines and totals (``data/processed`` service slugs).
SERVICE_LABELS: dict[str, str] = {
    "education": "Education",
    "highways_transport": "Highways and transport",
    "social_care": "Social care (2010-11)",
    "childrens_social_care": "Children's social care",
    "adult_social_care": "Adult social care",
    "public_health": "Public health",
    "housing": "Housing (GFRA)",
    "cultural": "Cultural",
    "environmental_regulatory": "Environmental and regulatory (incl. waste)",
    "planning_development": "Planning and development",
    "police": "Police",
    "fire": "Fire and rescue",
    "central": "Central services",
    "other": "Other",
    "total_service_expenditure": "Total service expenditure",
    "net_current_expenditure": "Net current expenditure",
}
#: What core spending is (``model.gap.core_services``), in the words every report uses.
CORE_SPENDING = "total service expenditure less education, police, fire and, from 2013-14, public health"
#: Programme presets (``model.spec.PROGRAMMES``).
PROGRAMME_LABELS: dict[str, str] = {
    "back_office": "Back office only",
    "back_office_waste": "Back office + waste and regulatory",
    "broad": "Broad (+ adult and children's social care)",
    "public_realm": "Wider public realm (+ police, fire, public health)",
}
#: Funding paths (``model.spec.CUT_PATHS``).
CUT_PATH_NAMES: dict[str, str] = {
    "sr2010": "the SR2010 plans' national profile",
    "actual": "the council's actual like-for-like outturn",
    "parametric": "a parametric path",
}


def service_name(slug: str) -> str:
    """A service line's name (the slug itself if unknown)."""
    return SERVICE_LABELS.get(slug, slug.replace("_", " "))


def programme_name(preset: str) -> str:
    """A programme preset's name (the preset itself if unknown)."""
    return PROGRAMME_LABELS.get(preset, preset.replace("_", " "))


def cut_path_name(path: str) -> str:
    """A funding path's name (the code itself if unknown)."""
    return CUT_PATH_NAMES.get(path, path)
