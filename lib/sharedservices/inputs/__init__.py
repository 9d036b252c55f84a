"""inputs: everything the suite reads from outside, loaded, validated and cached (bottom layer).

What lives here: where things are (:mod:`.paths`); the one YAML loader for files people
write (:mod:`.yamlio`); the processed tables (:mod:`.data`) and their domain rules
(:mod:`.data_rules`); the cited, rated assumptions and the recorder of which of them a run
reads (:mod:`.assumptions`); the importers that rebuild ``data/processed`` from the official
workbooks (:mod:`.importers`, behind ``python -m sharedservices data``) and the command
deriving ``data/external`` (:mod:`.external`).

May import: :mod:`sharedservices.errors` only (and third-party libraries).  Nothing here
knows the model, the reports or the runner (import-linter contract in ``pyproject.toml``).
"""
