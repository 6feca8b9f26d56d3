# Two entry points (see README): `make serve` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

.PHONY: setup serve build test lint fmt bench clean mutate mutate-prepare

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
	# worksteal: a worker that runs out of tests takes some of the other's, so a few long tests
	# on the engines do not leave one worker idle to the end (518 s with the default, 403 s so)
	$(BIN)/python -m pytest -q -n 2 --dist worksteal --durations=10

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

# Mutation testing (docs/testing.md; not part of `make test` or .ci/run). MODULE=audit runs one module
# of [tool.otsgraph.mutate] in pyproject.toml; without it, all of them, one after another. Each runs in
# its own copy of the checkout, build/mutate/<module>/ (mutmut's mutants/ and results stay there), on
# one worker; PYTHONPATH makes the tests' subprocesses (CLI, servers) run the mutated copy too. Its folder
# must exist before mutmut starts: Python caches a missing sys.path folder as missing, so on a first run
# the tests imported the checkout's own (unmutated) code and mutmut found no test for any mutant.
# `cd build/mutate/<module> && mutmut browse` (or `mutmut show <name>`) shows the survivors.
MODULE ?=
# MUTANTS='otsgraph.reasoning.engine.x_compile_tbox*' re-checks only those mutants (names or globs, as mutmut shows them)
MUTANTS ?=
define MUTATE_PREPARE
import json, subprocess, sys, tomllib
from pathlib import Path
table = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["otsgraph"]["mutate"]
wanted = sys.argv[1]
modules = [m for m in table if not wanted or Path(m).stem == wanted or m == wanted]
if not modules:
    sys.exit("MODULE=" + wanted + " is none of: " + " ".join(Path(m).stem for m in table))
for module in modules:
    where = Path("build/mutate") / Path(module).stem
    where.mkdir(parents=True, exist_ok=True)
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], check=True,
                           capture_output=True).stdout
    subprocess.run(["tar", "--null", "-T", "-", "-cf", "-"], input=files, check=True,
                   stdout=open(where / "copy.tar", "wb"))
    subprocess.run(["tar", "-xf", "copy.tar"], cwd=where, check=True)
    (where / "copy.tar").unlink()
    tests = [t for t in table[module] if Path(t).exists()]
    text = (where / "pyproject.toml").read_text()
    extra = "only_mutate = " + json.dumps([module]) + "\n"
    extra += "pytest_add_cli_args_test_selection = " + json.dumps(tests) + "\n"
    (where / "pyproject.toml").write_text(text.replace("[tool.mutmut]\n", "[tool.mutmut]\n" + extra, 1))
    print(where)
endef
export MUTATE_PREPARE

mutate: $(STAMP)
	@$(BIN)/python -c 'import mutmut' 2>/dev/null || $(BIN)/pip install --quiet -e '.[mutate]'
	@for where in $$($(BIN)/python -c "$$MUTATE_PREPARE" "$(MODULE)"); do \
	  echo "== mutmut in $$where"; \
	  mkdir -p $$where/mutants/src; \
	  ( cd $$where && export PYTHONPATH=$$PWD/mutants/src && \
	    $(abspath $(BIN))/mutmut run --max-children 1 $(MUTANTS) && $(abspath $(BIN))/mutmut results ) || exit 1; \
	done

# The copy and its settings only (tools/mutation_sample.py runs mutmut on a sample of the mutants)
mutate-prepare: $(STAMP)
	@$(BIN)/python -c 'import mutmut' 2>/dev/null || $(BIN)/pip install --quiet -e '.[mutate]'
	@for where in $$($(BIN)/python -c "$$MUTATE_PREPARE" "$(MODULE)"); do mkdir -p $$where/mutants/src; echo $$where; done
