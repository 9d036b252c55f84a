"""report: what the notebooks show, made from the model's results.

What lives here: the notebooks' parameter schemas, shared with the explorer (:mod:`.params`);
a notebook's parameters into the model in one call (:mod:`.scenarios`); each report's headline
numbers, computed (:mod:`.findings`); tables and figures, a DataFrame in and a table or
Figure out (:mod:`.tables`, :mod:`.figures`); the one way to write money, percentages, shares,
financial years and counts (:mod:`.format`); the house style (:mod:`.style`); the export
convention that tags each output for the build (:mod:`.display`); and the live explorer
(:mod:`.explorer`).

May import: :mod:`sharedservices.model`, :mod:`sharedservices.inputs` and
:mod:`sharedservices.errors`; never :mod:`sharedservices.pipeline` (import-linter contract in
``pyproject.toml``).
"""
