# Two entry points (see README): `make serve` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: setup serve build test lint fmt bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# The main job: build the graph (summary, artefacts) and serve it on http://127.0.0.1:8000/.
serve: $(STAMP)
	$(BIN)/otsgraph build --quiet
	$(BIN)/otsgraph serve --port $(PORT)

build: $(STAMP)
	$(BIN)/otsgraph build

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/isolation_bench.py
	$(BIN)/python bench/attack_soak.py

clean:
	rm -rf build .pytest_cache
