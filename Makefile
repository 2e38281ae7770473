# powerlab: the two commands.  `make run` runs the demo; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORE   := .venv-core
CORE_STAMP := $(CORE)/.installed
# The test subset that needs nothing but the core install (no extras).
CORE_TESTS := tests/mdp tests/power tests/retarget tests/goals tests/forecast tests/imitation tests/lowstakes

export OPENBLAS_NUM_THREADS ?= 1
export MPLBACKEND ?= Agg

.PHONY: run test test-core browser venv lint bench clean

$(STAMP): pyproject.toml setup.py src/powerlab/power/exact/_faces.cpp
	@# GMP headers for the compiled exact-mode recursion (on the image already; else from Debian).
	@echo '#include <gmp.h>' | $(CXX) -x c++ -E - >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq libgmp-dev) || \
		echo "warning: libgmp-dev missing; exact mode will use its slower Python recursion"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	$(BIN)/python -c "import powerlab.power.exact.facets as f; print('compiled face recursion:', f.NATIVE)"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/powerlab demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

# It shares the source tree, and so the compiled extension the main install built there:
# POWERLAB_NO_EXTENSION=1 keeps it from being rebuilt while the main suite has it loaded.
$(CORE_STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(CORE)
	$(CORE)/bin/pip install --quiet --upgrade pip
	POWERLAB_NO_EXTENSION=1 $(CORE)/bin/pip install --quiet -e . \
		'pytest>=8.0' 'pytest-timeout>=2.2' 'hypothesis>=6.100'
	touch $(CORE_STAMP)

# A core-only install (no extras) runs the main command and the core tests.
test-core: $(CORE_STAMP)
	$(CORE)/bin/powerlab power examples/fig1.yaml --samples 2000 --json > /dev/null
	$(CORE)/bin/python -m pytest -q -p no:cacheprovider --basetemp=$(CORE)/pytest-tmp $(CORE_TESTS)

# Headless Chromium renders the report in its browser test (Debian's package; the test
# skips with a message where it cannot be had).
browser:
	@command -v chromium >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "warning: chromium unavailable; the report's browser test will be skipped"

# The core-only install and suite run beside lint and the full suite (two cores); their log
# follows the full suite's.
test: $(STAMP) browser
	@mkdir -p $(CORE); \
	$(MAKE) --no-print-directory test-core > $(CORE)/test.log 2>&1 & core=$$!; \
	$(MAKE) --no-print-directory lint && $(BIN)/python -m pytest -q; full=$$?; \
	wait $$core; status=$$?; echo "--- core-only install:"; cat $(CORE)/test.log; \
	test $$full -eq 0 && test $$status -eq 0

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_power.py

clean:
	rm -rf $(VENV) $(CORE) powerlab-report .mypy_cache .ruff_cache
