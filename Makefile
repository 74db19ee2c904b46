# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= demo-out

.PHONY: demo rehearsal test lint runtime-deps system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,local]'
	touch $(STAMP)

# Debian packages: the offline engine's OpenCV needs libGL and GLib (demo and tests); tests also
# need a CJK font (synthetic scans) and chromium (the HTML report). Installed when missing and we
# may (root with apt-get); otherwise the tests that need them say why they skip.
define apt_ensure
	@missing=""; \
	for check in $(1); do \
	  pkg=$${check%%=*}; probe=$${check#*=}; \
	  sh -c "$$probe" >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "make: missing Debian packages:$$missing"; \
	  fi; \
	fi
endef

RUNTIME_DEBS = 'libgl1=ldconfig -p | grep -q libGL.so.1' 'libglib2.0-0=ldconfig -p | grep -q libgthread-2.0.so.0'
TEST_DEBS = 'fonts-wqy-zenhei=test -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc' 'fonts-arphic-uming=test -e /usr/share/fonts/truetype/arphic/uming.ttc' 'fonts-arphic-ukai=test -e /usr/share/fonts/truetype/arphic/ukai.ttc' 'chromium=command -v chromium'

runtime-deps:
	$(call apt_ensure,$(RUNTIME_DEBS))

system-deps: runtime-deps
	$(call apt_ensure,$(TEST_DEBS))

test: lint system-deps
	$(BIN)/pytest -q

# The demo is the main job on samples/ with the built-in default: no key is configured, so
# batchocr reads the scans with its offline engine. It then exports the tables and prints the
# recognized tickets. `make rehearsal` runs the same job through the HTTP path instead.
DEMO_SHOW = import csv,sys; rows=csv.DictReader(open(sys.argv[1],encoding="utf-8-sig")); \
  [print("  %-22s %-4s %-13s %8s CNY  %s" % (r["id"], r["passenger_name"], r["e_ticket_no"], \
  r["total"], r["warnings"] or "ok")) for r in rows]

demo: $(STAMP) runtime-deps
	@rm -rf $(DEMO_OUT)
	@env -u JUHE_KEY -u BATCHOCR_CONFIG $(BIN)/batchocr run samples -o $(DEMO_OUT)
	@$(BIN)/batchocr export $(DEMO_OUT) -o $(DEMO_OUT)/export >/dev/null
	@echo; echo "demo: recognized tickets (id, passenger, e-ticket, total, warnings):"
	@$(BIN)/python -c '$(DEMO_SHOW)' $(DEMO_OUT)/export-tickets.csv
	@echo; echo "demo: results in $(DEMO_OUT)/results.jsonl, tables in $(DEMO_OUT)/export-*.csv;"
	@echo "      for people: $(BIN)/batchocr report $(DEMO_OUT) --html $(DEMO_OUT)/review.html"

# A rehearsal of the HTTP path: `batchocr serve` answers from the samples' ground truth and
# `batchocr run` talks to it exactly as it would to the real service.
rehearsal: $(STAMP)
	@rm -rf $(DEMO_OUT)-rehearsal .demo-server.log
	@set -e; \
	$(BIN)/batchocr serve --port 0 --answers samples --no-fallback 2> .demo-server.log & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -f .demo-server.log' EXIT; \
	for i in $$(seq 100); do grep -q '^serving on' .demo-server.log && break; sleep 0.1; done; \
	url=$$(sed -n 's/^serving on //p' .demo-server.log); \
	echo "rehearsal: server at $$url (answers from samples/*.json)"; \
	JUHE_KEY=rehearsal-key $(BIN)/batchocr run samples -o $(DEMO_OUT)-rehearsal --backend juhe \
	  --endpoint "$$url" --qps 20

lint: $(STAMP)
	$(BIN)/ruff check batchocr synth tests bench samples
	$(BIN)/mypy batchocr

clean:
	rm -rf $(VENV) $(DEMO_OUT) $(DEMO_OUT)-rehearsal .pytest_cache .mypy_cache
