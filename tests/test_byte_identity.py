"""A report built on a long-lived kernel is byte-identical to one built in a fresh kernel.

Report 30 (the batch notebook) for two councils of every class, SC, SD, UA, MD and L, built
twice with the real data: once ``executor="cold"`` (a fresh worker process and kernel per
council, as ``run`` builds) and once on one long-lived kernel (``-j 1``: the same kernel runs
all ten, one class after another, resetting and checking itself between councils).  Both
builds share one provenance record, so nothing may differ but the seconds each took: the
HTML, every figure (PNG and SVG), table and sidecar, and the manifest.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sharedservices.inputs import data, paths
from sharedservices.pipeline import provenance
from sharedservices.pipeline.batch import batch

NOTEBOOK = paths.ROOT / "notebooks" / "30-payback-vs-cuts.ipynb"
CLASSES = ("SC", "SD", "UA", "MD", "L")


def _sample() -> list[str]:
    by_class = {c: data.select_councils(c) for c in CLASSES}
    # one of each class, then another of each: a kernel meets every class change twice
    return [by_class[c][i * len(by_class[c]) // 2] for i in (0, 1) for c in CLASSES]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


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
        assert (reused / f"{code}.html").read_bytes() == (fresh / f"{code}.html").read_bytes(), code
        a, b = _tree(reused / code), _tree(fresh / code)
        assert sorted(a) == sorted(b) and any(k.endswith(".png") for k in a) and any(k.endswith(".svg") for k in a)
        different = [name for name in a if a[name] != b[name]]
        assert different == [], (code, different)
        ma, mb = (json.loads((d / f"{code}.json").read_text()) for d in (reused, fresh))
        ma.pop("seconds"), mb.pop("seconds")
        assert ma == mb, code
