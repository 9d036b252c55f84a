"""Where things live.  Nothing else in the package hard-codes a directory.

The repository root is found from this file's location (the package is installed
editable from ``lib/``).  Tests and advanced users may point the processed data and
assumptions elsewhere with the environment variables ``SHAREDSERVICES_PROCESSED_DIR`` and
``SHAREDSERVICES_ASSUMPTIONS_DIR``; they are read on every call so a test can set them.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT: Path = Path(__file__).resolve().parents[3]
DATA_DIR: Path = ROOT / "data"
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
REPORTS_DIR: Path = ROOT / "reports"
REPORTS_YAML: Path = ROOT / "reports.yaml"


def processed_dir() -> Path:
    """Directory of the committed processed tables (``data/processed``)."""
    return Path(os.environ.get("SHAREDSERVICES_PROCESSED_DIR", DATA_DIR / "processed"))


def assumptions_dir() -> Path:
    """Directory of the cited assumption files (``data/assumptions``)."""
    return Path(os.environ.get("SHAREDSERVICES_ASSUMPTIONS_DIR", DATA_DIR / "assumptions"))


def raw_dir() -> Path:
    """Directory of the official raw workbooks: ``$RAW_DIR``, else ``data/raw``."""
    return Path(os.environ.get("RAW_DIR", DATA_DIR / "raw"))
