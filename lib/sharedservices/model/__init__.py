"""model: the analysis, as functions over arrays and DataFrames; no plotting, no report text.

What lives here: the scenario's parameters, each defined once (:mod:`.spec`: ``Scenario``);
the cited defaults the model reads, and the one place it reads them (:mod:`.cited`); the
arithmetic, which reads no file and takes every default as an argument (:mod:`.cuts` funding
paths and front-loading, :mod:`.programmes` savings and cost profiles, :mod:`.finance`
discounting, NPV, IRR, payback, :mod:`.financing` paying the one-off cost, :mod:`.gap` the
timing gap and sticky cuts, :mod:`.reference_class` optimism bias from plans against
outcomes); and the analyses built on them, which take their defaults from :mod:`.cited`
where a caller gives none (:mod:`.scenario` one council, :mod:`.uncertainty` the Monte Carlo
and sensitivities, :mod:`.national` every council, :mod:`.scale` and :mod:`.partners`
economies of scale and candidate partners, :mod:`.case_studies` the model against reported
outcomes).

May import: :mod:`sharedservices.inputs` and :mod:`sharedservices.errors` only; the
arithmetic modules and :mod:`.spec` not even :mod:`sharedservices.inputs` or :mod:`.cited`.
Both are import-linter contracts in ``pyproject.toml``.  Money is real
2010-11 prices, £ thousand unless a name says otherwise; year 0 is 2010-11.
"""
