# Two commands do all the set-up on a fresh machine:
#   make run    creates .venv, installs CekKlaim, starts the bot (database filled on first run)
#   make test   installs the test tools too and runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV ?= ../shared/eval/dev

.PHONY: run test lint bench install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"

run: install
	$(BIN)/cekklaim run

test: install-test
	$(BIN)/ruff check bot storage tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/quality.py $(DEV)
	$(BIN)/python bench/matcher.py $(DEV)
