# make demo: the README's first command. make test: the README's second.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: sysdeps sysdeps-browser install neo4j test unit lint demo docs bench clean

# System packages from Debian: Java 17 and Maven run Neo4j; Chromium renders the HTML report
# in its test. Installed with apt when missing and we are root, else the exact command is shown.
define need_apt
	@missing=""; for pair in $(1); do cmd=$${pair%%:*}; pkg=$${pair#*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing with apt-get"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "Missing system packages. Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

sysdeps:
	$(call need_apt,java:openjdk-17-jdk-headless mvn:maven)

sysdeps-browser:
	$(call need_apt,chromium:chromium)

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,py2neo]'
	touch $@

install: $(BIN)/.installed

# Fetches the Neo4j and Browser jars from Maven Central once; later runs find them cached.
neo4j: install sysdeps
	$(BIN)/tierscope db fetch

# mypy reads the import names tierscope.graphdb and tierscope.cli from links to the folders.
TYPECHECK := build/typecheck/tierscope

lint: install
	$(BIN)/ruff check graphdb cli tests bench
	$(BIN)/ruff format --check graphdb cli tests bench
	mkdir -p $(TYPECHECK)
	ln -sfn ../../../graphdb $(TYPECHECK)/graphdb
	ln -sfn ../../../cli $(TYPECHECK)/cli
	$(BIN)/mypy

# Unit tests, then integration tests against a throwaway Neo4j on free ports.
test: sysdeps sysdeps-browser install neo4j lint
	$(BIN)/pytest -q

unit: install
	$(BIN)/pytest -q tests/unit

# The demo: a takedown-shaped archive (scale 0.25, about 150k posts; DEMO_SCALE=1 for the
# full 600k), loaded into the managed Neo4j, detected, and reported.
DEMO_SCALE ?= 0.25
DEMO_DIR ?= demo-out

demo: sysdeps install neo4j
	$(BIN)/tierscope generate --scenario seed2020 --scale $(DEMO_SCALE) --seed 7 $(DEMO_DIR)
	$(BIN)/tierscope db start
	$(BIN)/tierscope load $(DEMO_DIR)/users.csv $(DEMO_DIR)/tweets.csv
	$(BIN)/tierscope detect --by month
	$(BIN)/tierscope report tiers
	$(BIN)/tierscope evaluate --truth $(DEMO_DIR)/truth.csv
	$(BIN)/tierscope db status
	@echo
	@echo "Why are the two most surely tied accounts (smallest p-value) tied? (tierscope explain, docs/explain.md)"
	$(BIN)/tierscope export edges -o $(DEMO_DIR)/edges.csv
	$(BIN)/tierscope explain $$(tail -n +2 $(DEMO_DIR)/edges.csv | sort -t, -g -k8,8 | head -1 | cut -d, -f1,2 | tr , ' ')
	@echo
	@echo "What would a takedown of operation 1 remove? (tierscope impact, docs/impact.md)"
	$(BIN)/tierscope impact --operation 1
	@echo
	@echo "The HTML report, with the takedown's before/after and each operation's growth by month:"
	$(BIN)/tierscope report tiers --format html -o report.html
	@echo
	@echo "Open report.html in a browser. Explore the graph in Neo4j Browser at the browser"
	@echo "address above (user neo4j, password in ~/.tierscope/password), or run a named query:"
	@echo "  $(BIN)/tierscope query list"
	@echo "  $(BIN)/tierscope query community_summary"

# The references are generated from --help and the query headers; tests fail when stale.
docs: install
	$(BIN)/python -m tierscope.cli.reference > docs/cli.md
	$(BIN)/python -m tierscope.graphdb.queries > docs/queries.md

bench: install neo4j
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
