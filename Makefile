# make demo: the README's first command. make test: the README's second.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install neo4j test unit lint demo docs bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,py2neo]'
	touch $@

install: $(BIN)/.installed

# Fetches the Neo4j and Browser jars from Maven Central once; later runs find them cached.
neo4j: install
	$(BIN)/tierscope db fetch

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Unit tests, then integration tests against a throwaway Neo4j on free ports.
test: install neo4j lint
	$(BIN)/pytest -q

unit: install
	$(BIN)/pytest -q tests/unit

demo: install neo4j
	$(BIN)/tierscope db start
	$(BIN)/tierscope load ../shared/data/io-archive/ ../shared/data/coortweet/russian_coord_tweets.csv

bench: install neo4j
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
