# sharedservices: every command a user or CI needs. `make help` lists them.
# Set-up is lazy: the first target that needs the environment creates .venv; later calls
# spend no time on it unless requirements*.txt or pyproject.toml changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Where the official raw workbooks live (never committed). CI: ../shared/data/raw
RAW_DIR ?= data/raw
export RAW_DIR
# Parallel notebook runs for `make reports` (default: the number of CPUs).
JOBS ?=
NB   ?=
ARGS ?=

RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev
SS            := $(BIN)/python -m sharedservices

.PHONY: help venv dev reports pdf report test lint typecheck lab explore data clean requirements bench \
        check-reports council-reports update-snapshots

help: ## List the targets (this is the default; it installs nothing)
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The explorer's Voila template (Voila's "lab" less its CDN stylesheets) and the config that
# makes it the default of every `voila` run from this environment, whatever the directory.
VOILA_SRC := lib/sharedservices/report/voila

$(RUNTIME_STAMP): requirements.txt pyproject.toml $(wildcard $(VOILA_SRC)/*.json $(VOILA_SRC)/template/*)
	@test -x $(BIN)/python || { echo "creating $(VENV) (first use; a few minutes)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name sharedservices --display-name "Python (sharedservices)" >/dev/null
	rm -rf $(VENV)/share/jupyter/voila/templates/sharedservices-explorer
	mkdir -p $(VENV)/share/jupyter/voila/templates $(VENV)/etc/jupyter
	cp -R $(VOILA_SRC)/template $(VENV)/share/jupyter/voila/templates/sharedservices-explorer
	cp $(VOILA_SRC)/voila.json $(VENV)/etc/jupyter/voila.json
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(RUNTIME_STAMP) ## Create or update the environment in .venv (done for you by other targets)

dev: $(DEV_STAMP) ## The environment plus test tools (requirements-dev.txt)

reports: $(RUNTIME_STAMP) ## Build every published report in reports.yaml into reports/
	$(SS) build $(if $(JOBS),-j $(JOBS))

pdf: $(RUNTIME_STAMP) ## As `make reports`, and print each report to reports/NAME.pdf (A4; Debian chromium)
	$(SS) build --pdf $(if $(JOBS),-j $(JOBS))

council-reports: $(RUNTIME_STAMP) ## One payback report per English principal council into reports/councils/
	$(SS) batch notebooks/30-payback-vs-cuts.ipynb --councils all $(if $(JOBS),-j $(JOBS)) $(ARGS)

report: $(RUNTIME_STAMP) ## One ad-hoc run: make report NB=notebooks/X.ipynb ARGS='-p name value'
	@test -n "$(NB)" || { echo "make report: set NB=notebooks/NAME.ipynb" >&2; exit 2; }
	$(SS) run $(NB) $(ARGS)

test: $(DEV_STAMP) ## Run the whole test suite (doctests included)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(DEV_STAMP) ## ruff over lib/, tests/ and bench/, then the layer contracts (import-linter)
	$(BIN)/ruff check lib tests bench
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP) ## mypy over the model and the inputs (settings in pyproject.toml)
	$(BIN)/mypy

lab: $(RUNTIME_STAMP) ## JupyterLab on notebooks/ with the project kernel, the explorer open (Run All starts it)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/explorer.ipynb

# Voilà's port (default 8866, the next free one if taken); ARGS='--no-browser' on a machine without one.
PORT ?=
explore: $(RUNTIME_STAMP) ## The explorer as an app in the browser, ready to use (Voilà: runs on opening, code hidden)
	$(BIN)/voila notebooks/explorer.ipynb $(if $(PORT),--port=$(PORT)) $(ARGS)

data: $(RUNTIME_STAMP) ## Rebuild data/processed from the raw workbooks in RAW_DIR
	$(SS) data --raw-dir "$(RAW_DIR)"

clean: ## Remove generated files (reports, caches); never data/
	rm -rf reports/*.html reports/*.json reports/*.pdf reports/CHANGES.md reports/_* reports/.staging reports/adhoc reports/councils .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
	find reports -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

requirements: $(DEV_STAMP) ## Re-resolve requirements*.txt from requirements*.in (pip-tools, CPython 3.11)
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host -o requirements.txt requirements.in
	grep -v '^-e' requirements.txt > .constraints.txt
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host -o requirements-dev.txt requirements-dev.in
	rm -f .constraints.txt

CHECK ?=
check-reports: $(DEV_STAMP) ## Open every built report in headless Chromium, offline; first screens in reports/_screens
	$(BIN)/python -m sharedservices.pipeline.browser $(CHECK)

bench: $(DEV_STAMP) ## Benchmarks (build and the 353-council batch vs papermill+nbconvert, memory, model); writes BENCHMARKS.md
	$(BIN)/python bench/run_all.py

update-snapshots: $(DEV_STAMP) ## Recompute the published reports' headline snapshots (review the diff!)
	$(BIN)/python -m sharedservices.pipeline.snapshots --update
