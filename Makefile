# Quick start: `make run` (set up, index corpus/, serve the chat) and `make test` (set up, run tests).
# `make run PORT=7861` serves on another port; `make test-fast` skips the slow tests.
PYTHON ?= python3
PORT ?=
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast index setup setup-dev browser clean

run: setup
	$(BIN)/python app.py $(if $(PORT),--port $(PORT))

index: setup
	$(BIN)/python -m qa index

test: setup-dev browser
	$(BIN)/python -m pytest -q

# The inner loop: everything but the tests marked slow.
test-fast: setup-dev
	$(BIN)/python -m pytest -q -m "not slow"

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt requirements-postgres.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# The browser test drives Debian's Chromium (never a downloaded one).
browser:
	@test -x /usr/bin/chromium || scripts/install-chromium

clean:
	rm -rf $(VENV) .cache .pytest_cache
