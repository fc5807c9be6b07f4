# The README's two commands: `make demo` (set up, then run the main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup native clean-data bench

demo: setup
	$(BIN)/shopwatch demo

# Starts the test servers (Redis, FerretDB, Elasticsearch; scripts/servers) and exports their URLs.
test: setup
	servers="$$(bash scripts/servers up --env)" && eval "$$servers" && $(BIN)/python -m pytest

setup: $(VENV)/.installed native

# The compiled detection modules (detect/native.py), rebuilt when their sources change; a failed
# build (no compiler) is reported and detection runs interpreted.
native: build/native/manifest.json

# (scripts/setup builds them too: the virtual environment is an order-only prerequisite)
build/native/manifest.json: detect/native.py $(foreach m,text patents detectors engine,$(wildcard detect/$(m).py detect/$(m).pxd)) | $(VENV)/.installed
	-$(BIN)/python -m detect.build

$(VENV)/.installed: pyproject.toml scripts/setup
	PYTHON=$(PYTHON) VENV=$(VENV) bash scripts/setup
	touch $@

bench: setup
	$(BIN)/python bench/mallsim_pages.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/pipeline_stages.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/detect.py
	$(BIN)/python bench/dedupe.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/browser_memory.py
	$(BIN)/python bench/evidence.py
	servers="$$(bash scripts/servers up --env)" && eval "$$servers" && $(BIN)/python bench/ingest.py

clean-data:
	rm -rf data
