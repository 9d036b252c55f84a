"""``batch --scheduler``: the same batch on a Dask cluster (an in-process LocalCluster).

Uses the mini project and fixture notebook of tests/test_batch.py.
"""

from __future__ import annotations

import json

import pytest
from sharedservices.pipeline import cluster, publish
from sharedservices.pipeline.batch import batch
from sharedservices.pipeline.jobs import Job
from test_batch import cli, normalised_html, project  # noqa: F401  (fixture)

GROUP = pytest.mark.xdist_group("batch-dask")


@pytest.fixture
def local_cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as c:
        yield c


def test_run_remote_refuses_a_worker_on_another_commit(project):  # noqa: F811
    here = cluster.checkout_identity()
    client_ident = {**here, "commit": "c" * 40, "dirty": False}
    job = Job(name="E5014", title=None, notebook=str(project / "notebooks" / "fx-council.ipynb"),
              notebook_rel="notebooks/fx-council.ipynb", parameters={}, staging="", timeout=10.0)
    result = cluster.run_remote(job, b"{}", 10.0, client_ident)
    assert result["rc"] == 1 and result["files"] == {}
    msg = result["refused"]
    assert msg.startswith("worker local: checkout is on commit " + str(here["commit"])[:12])
    assert "client is on commit cccccccccccc" in msg and "\n" not in msg


def test_same_commit_with_different_uncommitted_code_is_refused():
    a = {"commit": "a" * 40, "dirty": True, "version": "1", "code": "x"}
    msg = cluster.mismatch("tcp://10.0.0.2:4000", {**a, "code": "y"}, a)
    assert "tcp://10.0.0.2:4000" in msg and "different uncommitted changes" in msg


@GROUP
def test_dask_path_gives_the_same_report_as_the_local_path(project, local_cluster, capsys):  # noqa: F811
    nb = project / "notebooks" / "fx-council.ipynb"
    summary = batch(nb, "E5014", {"scale": 3.0}, root=project,
                    reports_dir=project / "local-reports")
    assert summary.failed == []
    rc = cli(project, "--councils", "E09000013", "-p", "scale", "3",
             "--scheduler", local_cluster.scheduler_address)
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "dask: 1 worker(s)" in err
    local = project / "local-reports" / "councils"
    remote = project / "reports" / "councils"
    assert normalised_html(remote / "E5014.html") == normalised_html(local / "E5014.html")
    m_local, m_remote = (publish.read_manifest(d, "E5014") for d in (local, remote))
    assert m_remote["headlines"] == m_local["headlines"]
    assert sorted(m_remote["files"]) == sorted(m_local["files"])
    assert (remote / "E5014" / "population.svg").read_bytes() == \
        (local / "E5014" / "population.svg").read_bytes()
    assert (remote / "index.html").is_file()
    # incremental on the cluster path too
    assert cli(project, "--councils", "E5014", "-p", "scale", "3",
               "--scheduler", local_cluster.scheduler_address) == 0
    assert "0 built, 1 skipped" in capsys.readouterr().err


@GROUP
def test_dask_worker_on_another_commit_is_refused_before_anything_runs(
        project, local_cluster, monkeypatch, capsys):  # noqa: F811
    real = cluster.checkout_identity()
    calls = []

    def fake_identity(root=None):
        calls.append(1)
        # the first call is the client's own; every later one is a worker's
        return real if len(calls) == 1 else {**real, "commit": "0" * 40, "dirty": False}

    monkeypatch.setattr(cluster, "checkout_identity", fake_identity)
    rc = cli(project, "--councils", "E5014", "--scheduler", local_cluster.scheduler_address)
    err = capsys.readouterr().err
    assert rc == 2, err
    worker = next(iter(local_cluster.scheduler_info["workers"]))
    assert f"worker {worker}" in err and "000000000000" in err
    assert str(real["commit"])[:12] in err
    assert not list((project / "reports" / "councils").glob("*.json"))
    assert json.dumps(real)  # identity is plain data (it travels to and from workers)


@GROUP
def test_dask_worker_runs_every_council_on_one_long_lived_kernel(project, local_cluster):  # noqa: F811
    from sharedservices.pipeline.runner import make_job

    nb = project / "notebooks" / "fx-council.ipynb"
    client = cluster.connect(local_cluster.scheduler_address)
    try:
        ident = cluster.checkout_identity()
        jobs = [make_job(code, None, nb, "notebooks/fx-council.ipynb",
                         {"council": code, "scale": 1.0, "fail_for": "", "sleep_for": ""},
                         project / code, 120.0, {}).with_(figure_formats="svg")
                for code in ("E5014", "E2532", "E0101")]
        results = {job.name: result for job, result in cluster.run_on_cluster(client, jobs, 120.0, ident)}
        assert all(r["rc"] == 0 for r in results.values()), results
        kernels = sorted(tuple(r["kernel"]) for r in results.values())
        assert len({pid for pid, _ in kernels}) == 1 and kernels[0][0] != 0, kernels
        assert [n for _, n in kernels] == [1, 2, 3]
        assert "E5014.html" in results["E5014"]["files"]
        assert sum(client.run(cluster.close_pool).values()) == 1  # the kernel ends with the batch
    finally:
        client.close()
