"""Content fingerprints deciding which reports to rebuild (no modification times).

A report's fingerprint hashes: its notebook, its reports.yaml entry, every file of the
installed ``sharedservices`` package (the HTML template included), the processed data and
assumptions (``data/`` except ``data/raw``), ``requirements.txt`` and the Python version.
Paths are hashed relative to their directory, so a fresh clone of an unchanged tree has
the same fingerprints.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterator
from pathlib import Path

import sharedservices
from sharedservices.inputs import paths

_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".staging"}


def walk(directory: Path, skip_top: frozenset[str] = frozenset()) -> Iterator[tuple[str, Path]]:
    """Every file under ``directory`` a fingerprint covers, as ``(relative path, path)``, sorted
    (caches, hidden files, ``*.egg-info`` and compiled files skipped; and ``skip_top`` folders)."""
    if not directory.is_dir():
        return
    for f in sorted(directory.rglob("*")):
        rel = f.relative_to(directory)
        if any(p in _SKIP_DIRS or p.startswith(".") or p.endswith(".egg-info") for p in rel.parts):
            continue
        if rel.parts[0] in skip_top or f.suffix == ".pyc" or not f.is_file():
            continue
        yield rel.as_posix(), f


def tree_hash(root: Path) -> str:
    """Hash of everything every report depends on (not the notebook or its entry).

    Parameters
    ----------
    root : Path
        Project root (holding ``requirements.txt`` and ``data/``).
    """
    h = hashlib.sha256()
    h.update(f"python {platform.python_implementation()} {platform.python_version()}\n".encode())
    groups = {
        "lib": Path(sharedservices.__file__).resolve().parent,
        "data": root / "data",
        "processed": paths.processed_dir(),
        "assumptions": paths.assumptions_dir(),
    }
    for label, directory in groups.items():
        skip = frozenset({"raw"}) if label == "data" else frozenset()
        for rel, f in walk(directory, skip):
            h.update(f"{label}/{rel}\0".encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    req = root / "requirements.txt"
    h.update(b"requirements.txt\0" + (req.read_bytes() if req.is_file() else b"<missing>"))
    return h.hexdigest()


def report_fingerprint(tree: str, notebook: Path, entry_json: str) -> str:
    """Fingerprint of one report from the tree hash, its notebook and its entry."""
    h = hashlib.sha256()
    h.update(tree.encode())
    h.update(hashlib.sha256(notebook.read_bytes()).digest())
    h.update(entry_json.encode())
    return h.hexdigest()
