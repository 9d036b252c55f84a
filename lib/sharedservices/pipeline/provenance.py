"""Provenance of a build: suite version, git state, data hashes, packages, build time.

Everything here is cheap and importable without pandas or matplotlib.  The build gathers
the common part once (:func:`collect`) and adds each report's parameters.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sharedservices import __version__
from sharedservices.inputs import paths

#: Packages whose versions every report records.
PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "statsmodels", "scipy", "pydantic",
            "pandera", "papermill", "nbconvert", "nbclient", "ipykernel", "openpyxl", "xlrd")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as fh:
    ...     _ = fh.write(b"abc")
    >>> sha256_file(Path(fh.name))[:16]
    'ba7816bf8f01cfea'
    >>> os.unlink(fh.name)
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def data_files(root: Path | None = None) -> dict[str, str]:
    """sha256 of every processed table, derived external table and assumption file the
    notebooks read.

    Files are listed relative to ``root`` (the repository root) where they lie under it,
    in sorted order; hidden files and READMEs (documentation, not data) are skipped.
    """
    root = root or paths.ROOT
    out: dict[str, str] = {}
    from sharedservices.inputs import data

    for directory in (paths.processed_dir(), data.external_dir(), paths.assumptions_dir()):
        if not directory.is_dir():
            continue
        for f in sorted(directory.rglob("*")):
            rel = f.relative_to(directory).parts
            if f.is_file() and not any(p.startswith(".") for p in rel) \
                    and not f.name.upper().startswith("README"):
                out[_display_path(f, root)] = sha256_file(f)
    return out


def git_state(root: Path | None = None) -> dict[str, Any]:
    """``{"commit": sha or "unknown", "dirty": bool | None}`` for the repository at ``root``."""
    root = root or paths.ROOT
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain"],
                                cwd=root, capture_output=True, text=True, timeout=20,
                                check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`PACKAGES` (``"not installed"`` where absent)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def build_time() -> str:
    """Now, UTC, ISO 8601 to the second (``2026-11-27T01:50:00Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def collect(root: Path | None = None) -> dict[str, Any]:
    """The provenance shared by every report of one build (parameters are added per report).

    Returns
    -------
    dict
        ``suite_version``, ``git`` (commit, dirty), ``data_files`` (path -> sha256),
        ``packages`` (name -> version), ``python``, ``build_time`` (UTC).
    """
    return {
        "suite_version": __version__,
        "git": git_state(root),
        "data_files": data_files(root),
        "packages": package_versions(),
        "python": platform.python_version(),
        "build_time": build_time(),
    }
