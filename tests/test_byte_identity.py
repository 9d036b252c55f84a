"""A report built on a long-lived kernel is byte-identical to one built in a fresh kernel.

Report 30 (the batch notebook) for two councils of every class, SC, SD, UA, MD and L, built
twice with the real data: once ``executor="cold"`` (a fresh worker process and kernel per
council, as ``run`` builds) and once on one long-lived kernel (``-j 1``: the same kernel runs
all ten, one class after another, resetting and checking itself between councils).  Both
builds share one provenance record; nothing may differ but each report's own build time
(when its notebook finished, in the page, the sidecars and the manifest) and the seconds it
took: the HTML, every figure (PNG and SVG), table and sidecar, and the manifest.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sharedservices.inputs import data, paths
from sharedservices.pipeline import provenance
from sharedservices.pipeline.batch import batch

NOTEBOOK = paths.ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"
CLASSES = ("SC", "SD", "UA", "MD", "L")
#: A build time as the provenance writes it (``2026-11-27T01:50:00Z``).
BUILD_TIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _sample() -> list[str]:
    by_class = {c: data.select_councils(c) for c in CLASSES}
    # one of each class, then another of each: a kernel meets every class change twice
    return [by_class[c][i * len(by_class[c]) // 2] for i in (0, 1) for c in CLASSES]


def _bytes(path: Path) -> bytes:
    """The file's bytes, a build time replaced by a marker in text files (the only difference)."""
    data = path.read_bytes()
    return BUILD_TIME.sub(b"<build time>", data) if path.suffix in (".html", ".json") else data


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): _bytes(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.xdist_group("byte-identity")
def test_reused_kernel_reports_are_byte_identical_to_fresh_kernel_reports(tmp_path, monkeypatch):
    sample = _sample()
    assert len(set(sample)) == 10
    record = provenance.collect(paths.ROOT)
    monkeypatch.setattr(provenance, "collect", lambda root=None: record)
    built = {}
    for executor, jobs in (("cold", 2), ("warm", 1)):
        summary = batch(NOTEBOOK, ",".join(sample), {}, reports_dir=tmp_path / executor, jobs=jobs,
                        force=True, executor=executor, figure_formats="png,svg",
                        out=io.StringIO(), err=io.StringIO())
        assert summary.failed == [] and sorted(summary.by_status("built")) == sorted(sample)
        built[executor] = tmp_path / executor / "councils"
    fresh, reused = built["cold"], built["warm"]
    for code in sample:
        assert _bytes(reused / f"{code}.html") == _bytes(fresh / f"{code}.html"), code
        a, b = _tree(reused / code), _tree(fresh / code)
        assert sorted(a) == sorted(b) and any(k.endswith(".png") for k in a) and any(k.endswith(".svg") for k in a)
        different = [name for name in a if a[name] != b[name]]
        assert different == [], (code, different)
        ma, mb = (json.loads(_bytes(d / f"{code}.json")) for d in (reused, fresh))
        for m in (ma, mb):  # the seconds it took, and the hash of a page that holds its build time
            m.pop("seconds"), m.pop("html_sha256")
        assert ma == mb, code
