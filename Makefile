# powerlab: the two commands.  `make run` runs the demo; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export OPENBLAS_NUM_THREADS ?= 1
export MPLBACKEND ?= Agg

.PHONY: run test venv lint bench clean

$(STAMP): pyproject.toml setup.py src/powerlab/power/exact/_faces.cpp
	@# GMP headers for the compiled exact-mode recursion (on the image already; else from Debian).
	@echo '#include <gmp.h>' | $(CXX) -x c++ -E - >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq libgmp-dev) || \
		echo "warning: libgmp-dev missing; exact mode will use its slower Python recursion"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -c "import powerlab.power.exact.facets as f; print('compiled face recursion:', f.NATIVE)"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/powerlab demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_power.py

clean:
	rm -rf $(VENV) powerlab-report .mypy_cache .ruff_cache
