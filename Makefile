# Everything the project needs is installed by these targets, into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck unit run demo bench soak fuzz-long clean messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "balint-bot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,sandbox]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check bot cogs tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

# The reliability suite at length: more seeds, rounds and kills than the quick run in `make test`.
soak: $(STAMP)
	BALINT_SOAK=1 $(BIN)/python -m pytest -q tests/smoke/test_reliability.py tests/e2e/test_faults.py

run: $(STAMP)
	$(BIN)/python -m bot

demo: $(STAMP)
	$(BIN)/python -m bot --demo

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The catalogues: every msgid of the code into the template, then into each language's .po
# (a new msgid arrives untranslated, a changed one fuzzy: translate them, and `make test`
# checks that none is left). The bot reads the .po itself at start: nothing to compile.
LOCALES := bot/locales
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o $(LOCALES)/balint.pot --project=balint-bot --add-location=file \
		--sort-by-file --width=100 .
	$(BIN)/pybabel update -i $(LOCALES)/balint.pot -d $(LOCALES) -D balint --ignore-obsolete --previous \
		--ignore-pot-creation-date --width=100

# The fuzz tests with many more examples, new ones each run (make test runs a small, fixed set).
fuzz-long: $(STAMP)
	BALINT_FUZZ=fuzz-long $(BIN)/python -m pytest tests/e2e/test_fuzz.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
