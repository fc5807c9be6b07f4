# The README's two commands: `make demo` (set up, then run the main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup clean-data bench

demo: setup
	$(BIN)/shopwatch demo

# Starts the test servers (Redis, FerretDB, Elasticsearch; scripts/servers) and exports their URLs.
test: setup
	servers="$$(bash scripts/servers up --env)" && eval "$$servers" && $(BIN)/python -m pytest

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup
	PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/setup
	touch $@

bench: setup
	$(BIN)/python bench/mallsim_pages.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/detect.py
	$(BIN)/python bench/dedupe.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/browser_memory.py
	$(BIN)/python bench/evidence.py
	servers="$$(bash scripts/servers up --env)" && eval "$$servers" && $(BIN)/python bench/ingest.py

clean-data:
	rm -rf data
