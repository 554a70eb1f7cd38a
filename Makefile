# Each target sets itself up: a .venv with the project and its dev extra.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make test` keeps compiled modules, pytest's assertion-rewritten test modules among
# them, in build/pycache (not next to the sources), even where PYTHONDONTWRITEBYTECODE is
# set: without them every parallel worker, the timing pass and every `pdbulk` process a
# test starts compiles ~650 test modules / the package again (collecting the suite:
# 20 s of CPU a process -> 4 s; a 6-process kill test: 10 s -> 5 s)
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/build/pycache

# the test files that hold a test marked timing (the serial pass's files)
TIMING_FILES = $(shell grep -l 'mark\.timing' tests/test_*.py)

.PHONY: test demo bench lint gen sandbox clean

# --no-compile: `make test` reads compiled modules from build/pycache only
# (PYTHONPYCACHEPREFIX), never the __pycache__ pip would fill for every dependency (the
# install 17.6 -> 9.4 CPU s); other targets compile what they import, once, as Python
# does. (A current pip first: Python 3.11's own pip 23.2 spent 21 CPU s on the same
# install without compiling.)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-compile -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	./scripts/ensure_redis.sh
	-sh scripts/ensure_chromium.sh
	# twice the cores: a third of the suite waits on sockets, sandboxes and subprocesses
	# (2 cores: 139 s at -n 4, 181 s at -n 2, 157 s at -n 6)
	$(TEST_ENV) $(BIN)/python -m pytest -n $$(( $$(nproc) * 2 )) --dist worksteal -m 'not timing'
	# the timing pass collects only the files that hold timing tests (collecting all ~650:
	# 5.5 CPU s of a serial pass; these: 2 s): tests/test_make_test.py checks none is missed
	$(TEST_ENV) $(BIN)/python -m pytest -m timing $(TIMING_FILES)

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
