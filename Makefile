# Two entry points: `make run` (the chat page) and `make test` (the whole suite).
# Both create .venv on first use and install what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint eval index install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The pinned CPU torch first: an unpinned resolve would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/rag ui

index: $(STAMP)
	$(BIN)/rag index

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Quality floors a little under the measured figures (README), so quality cannot silently regress.
GOLD_FLOORS := hit@k=0.97,mrr=0.83,fact_accuracy=0.63,citation_precision=0.72,noans_accuracy=0.68,false_refusal_rate=0.06
HELDOUT_FLOORS := hit@k=0.97,mrr=0.83,fact_accuracy=0.68,citation_precision=0.66,noans_accuracy=0.5,false_refusal_rate=0.06

eval: $(STAMP)
	$(BIN)/rag eval seeds/gold.jsonl --no-failures --fail-under $(GOLD_FLOORS)
	$(BIN)/rag eval seeds/heldout.jsonl --no-failures --fail-under $(HELDOUT_FLOORS)

test: lint
	$(BIN)/pytest
	$(MAKE) eval

clean:
	rm -rf $(VENV)
