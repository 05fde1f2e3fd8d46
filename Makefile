# Two commands for a fresh machine: `make run` opens the editor, `make test` runs every test.
# The first use creates .venv and installs stride-tui with its test tools into it.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test setup bench

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/stride-tui $(or $(MODEL),sample_models/checkout.toml)

# pytest exits 5 when it collected no test: a suite that runs nothing is a failure here.
test: $(STAMP)
	@$(PY) -m pytest $(ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi; exit $$rc

bench: $(STAMP)
	$(PY) bench/bench_storage.py
	$(PY) bench/bench_analysis.py
	$(PY) bench/bench_render.py
	$(PY) bench/bench_editor.py
