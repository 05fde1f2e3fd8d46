# Two commands for a fresh machine: `make run` opens the editor, `make check` runs every check
# (the same command CI runs). The first use creates .venv and installs stride-tui with its test
# and lint tools into it (about a minute; it says so).

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
CODE := stride_tui widgets tests bench

.PHONY: run check lint test setup bench format

$(STAMP): pyproject.toml
	@echo "Setting up .venv for stride-tui (first use, or pyproject.toml changed): about a minute..."
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@
	@echo "Set up."

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/stride-tui $(or $(MODEL),sample_models/checkout.toml)

# Everything CI runs, in order of speed: format, lint, types, import contracts, then the tests.
check: lint test

lint: $(STAMP)
	$(VENV)/bin/ruff format --check $(CODE)
	$(VENV)/bin/ruff check $(CODE)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# pytest exits 5 when it collected no test: a suite that runs nothing is a failure here.
test: $(STAMP)
	@$(PY) -m pytest $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi; exit $$rc

# Rewrite the code in the project's format and apply safe lint fixes.
format: $(STAMP)
	$(VENV)/bin/ruff format $(CODE)
	$(VENV)/bin/ruff check --fix $(CODE)

bench: $(STAMP)
	$(PY) bench/bench_storage.py
	$(PY) bench/bench_analysis.py
	$(PY) bench/bench_render.py
	$(PY) bench/bench_editor.py
	$(PY) bench/bench_corpus.py
	$(PY) bench/bench_engine_compare.py
	$(PY) bench/bench_keystrokes.py
	$(PY) bench/bench_speed.py
