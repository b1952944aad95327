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
# the whole suite on the 2-core machine (quiet, /proc/stat around the run): -n 4 took 206 s with 70 s of a
# core idle; -n 6 164 s, 23 s idle; -n 8 166 s, 2 s idle but more CPU (a collection per worker) and more
# timing failures under the load. `make test TEST_WORKERS=0` runs it serially.
TEST_WORKERS ?= 6

# Bytecode is cached for the run even where PYTHONDONTWRITEBYTECODE is set (as on this machine): without it every
# worker compiled every module and rewrote every test module's asserts, and every console child process the
# tests start (CLI, simulated edge, fake tools) compiled its modules again, on each start. compileall writes
# the project's bytecode once before the workers start; __pycache__ is git-ignored. In a fresh clone, one
# collection first writes pytest's assert-rewritten test modules, which the workers then load (2.3 CPU-s each)
# instead of each rewriting them all (7.6 each); beside it, tests/warm_caches.py fills Hypothesis's caches
# (8.7 CPU-s each: on two cores they take ~9 s side by side, 13 s one after the other).
test: $(STAMP) lint
	bash tests/system-deps
	@start=$$(date +%s); load=$$(cut -d' ' -f1-3 /proc/loadavg); $(BIN)/python -m compileall -q -j 0 console screens widgets themes tests >/dev/null; \
	{ ls tests/__pycache__/conftest.*-pytest-*.pyc >/dev/null 2>&1 || \
	  PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q --collect-only -p no:cacheprovider >/dev/null & }; \
	ls -d .hypothesis/unicode_data .hypothesis/constants >/dev/null 2>&1 || PYTHONDONTWRITEBYTECODE= $(BIN)/python -m tests.warm_caches; \
	wait; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS); rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s wall time (load average before it: $$load)"; exit $$rc

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
