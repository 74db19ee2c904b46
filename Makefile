# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-out
DEMO_PORT ?= 8765

.PHONY: demo test lint samples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check batchocr tests bench samples
	$(BIN)/mypy batchocr
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check batchocr tests bench samples
	$(BIN)/mypy batchocr

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache
