PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-fast lint install bench clean keys-doc

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/edge-console $(ARGS)

# layering contracts (pyproject.toml [tool.importlinter]), ruff lint and the ruff format check
lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check console screens widgets themes tests bench
	$(BIN)/ruff format --check --quiet console screens widgets themes tests bench

# the suite on TEST_WORKERS processes (pytest-xdist); each test has its own state dirs and ports.
# Most tests wait on timers, pipes and sockets rather than the CPU, so more workers than cores pay off:
# tests/test_look_snapshots.py on the 2-core machine took 68 s with -n 2, 50 s with -n 4, 55 s with -n 6.
# `make test TEST_WORKERS=0` runs it serially. Bytecode is cached (as for test-fast, below): with
# PYTHONDONTWRITEBYTECODE set, every child process (edge-console, the TUI, python -m console ...) compiled
# each console module changed since the last cached run again (`edge-console keys`: 0.62 CPU-s, not 0.47).
TEST_WORKERS ?= 4

test: $(STAMP) lint
	bash tests/system-deps
	@start=$$(date +%s); PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS); rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s wall time"; exit $$rc

# the unit tier only (no processes, sockets or terminals): seconds, for the edit-test loop
# Bytecode is cached (__pycache__, git-ignored) even where PYTHONDONTWRITEBYTECODE is set: compiling the
# console and rewriting the test modules' asserts on every run was ~2.5 s of CPU. The load average is
# printed beside the time because this machine is shared.
test-fast: $(STAMP)
	@start=$$(date +%s); PYTHONDONTWRITEBYTECODE= EDGE_FUZZ_EXAMPLES=25 $(BIN)/python -m pytest -q -p no:cacheprovider -m unit $(PYTEST_ARGS); rc=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - start )) s wall time (load average $$(cut -d' ' -f1-3 /proc/loadavg))"; exit $$rc

# the README's key table, generated from the action catalogue (console/actions.py)
keys-doc: $(STAMP)
	$(BIN)/edge-console keys --update-readme README.md

bench: $(STAMP)
	for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
