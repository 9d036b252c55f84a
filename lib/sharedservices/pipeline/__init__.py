"""pipeline: the runner behind ``python -m sharedservices`` (top layer).

What lives here: the command line (:mod:`.cli`); ``reports.yaml`` (:mod:`.config`); content
fingerprints deciding what to rebuild (:mod:`.fingerprint`); the one kernel runner, cold or
warm (:mod:`.execute`, with :mod:`.warm`'s long-lived workers and :mod:`.jobs`' Job and
Failure records); HTML and figure/table export (:mod:`.export`); atomic publishing,
manifests, failure reports and the lock (:mod:`.publish`); the index pages (:mod:`.index`,
:mod:`.councils_index`); ``build`` and ``run`` (:mod:`.runner`), ``batch`` (:mod:`.batch`,
:mod:`.cluster` for Dask); provenance (:mod:`.provenance`); the headless-browser checks
(:mod:`.browser`), the PDFs of ``build --pdf`` (:mod:`.pdf`), the record of which published
headlines changed (:mod:`.changes`, ``reports/CHANGES.md``) and the regression snapshots of
the published headlines (:mod:`.snapshots`).

May import: :mod:`sharedservices.report` (its parameter schemas, to validate before any
kernel starts, and the display tags it exports), :mod:`sharedservices.inputs` (data and
assumptions, validated before any kernel starts) and :mod:`sharedservices.errors`.  It does
not run the model: notebooks do, in their kernels (import-linter contract in
``pyproject.toml``; the one exception is :mod:`.snapshots`, which recomputes the published
headlines in-process for the regression test; :mod:`.changes` writes headline values with
:mod:`sharedservices.report.format`, which reaches ``model.cuts`` for a financial year's name).

Importing it is cheap: pandas, matplotlib and papermill are imported only in the worker
process that runs a notebook, so a build with nothing to do stays fast.
"""
