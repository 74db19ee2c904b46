# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-out

.PHONY: demo test lint system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian packages some tests need: a CJK font (synthetic scans) and chromium (the HTML report).
# Installed when missing and we may (root with apt-get); otherwise those tests say why they skip.
system-deps:
	@missing=""; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$$missing fonts-wqy-zenhei"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "make: missing Debian packages:$$missing (tests that need them will be skipped)"; \
	  fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/ruff check batchocr tests bench samples
	$(BIN)/mypy batchocr
	$(BIN)/pytest -q

# The demo rehearses a real run: a local server that speaks the service's protocol answers
# from the samples' ground truth (no key, no network, no quota), and `batchocr run` processes
# samples/ exactly as it would a folder of scans against the real service.
demo: $(STAMP)
	@rm -rf $(DEMO_OUT) .demo-server.log
	@set -e; \
	$(BIN)/batchocr serve --port 0 --answers samples --no-fallback 2> .demo-server.log & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -f .demo-server.log' EXIT; \
	for i in $$(seq 100); do grep -q '^serving on' .demo-server.log && break; sleep 0.1; done; \
	url=$$(sed -n 's/^serving on //p' .demo-server.log); \
	echo "demo: rehearsal server at $$url (answers from samples/*.json)"; \
	JUHE_KEY=demo-key $(BIN)/batchocr run samples -o $(DEMO_OUT) --endpoint "$$url" --qps 20; \
	echo; echo "demo: first result, from $(DEMO_OUT)/results.jsonl:"; \
	head -n 1 $(DEMO_OUT)/results.jsonl | $(BIN)/python -c \
	  'import json,sys; r=json.loads(sys.stdin.read()); print(json.dumps({"id": r["id"], "fields": r["fields"], "warnings": r["warnings"]}, ensure_ascii=False, indent=1))'

lint: $(STAMP)
	$(BIN)/ruff check batchocr tests bench samples
	$(BIN)/mypy batchocr

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache
