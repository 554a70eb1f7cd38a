# Each target sets itself up: a .venv with the project and its dev extra.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo bench lint gen sandbox clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	./scripts/ensure_redis.sh
	-sh scripts/ensure_chromium.sh
	# twice the cores: a third of the suite waits on sockets, sandboxes and subprocesses
	# (2 cores: 139 s at -n 4, 181 s at -n 2, 157 s at -n 6)
	$(BIN)/python -m pytest -n $$(( $$(nproc) * 2 )) --dist worksteal -m 'not timing'
	$(BIN)/python -m pytest -m timing

lint: $(STAMP)
	$(BIN)/ruff check bulk jobs pdbulk tests benchmarks scripts
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/python -m pdbulk.demo $(DEMO_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

sandbox: $(STAMP)
	$(BIN)/pdbulk sandbox

gen: $(STAMP)
	$(BIN)/python scripts/gen_operations.py ../shared/pipedrive

clean:
	rm -rf $(VENV) build *.egg-info
