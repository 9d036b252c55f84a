"""The report build: reports.yaml -> executed notebooks -> reports/ (see :func:`build`).

Modules: :mod:`.config` (reports.yaml), :mod:`.fingerprint` (content hashes deciding what
to rebuild), :mod:`.execute` (papermill in a worker process, one kernel per run),
:mod:`.export` (HTML and figure/table files from an executed notebook), :mod:`.publish`
(atomic publishing, manifests, failure reports, lock), :mod:`.index` (reports/index.html),
:mod:`.runner` (the ``build`` and ``run`` commands).

Importing this package is cheap: pandas, matplotlib and papermill are imported only in the
worker process that runs a notebook, so a build with nothing to do stays fast.
"""

from sharedservices.pipeline.runner import BuildSummary, build, run_adhoc

__all__ = ["BuildSummary", "build", "run_adhoc"]
