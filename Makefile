# joinery — build, test and benchmark entry points. `make test` is what CI runs.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

CARGO ?= cargo
# One target dir for every make target; an exported CARGO_TARGET_DIR wins.
export CARGO_TARGET_DIR ?= $(CURDIR)/target

# Debian 12 packages that provide FileCheck, lit, not, mlir-opt and the LLVM/MLIR libraries,
# and oneDNN (libdnnl-dev: the runtime's convolutions, threaded by OpenMP).
APT_PACKAGES := llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 libpolly-22-dev libzstd-dev libdnnl-dev
DNNL_HEADER := /usr/include/oneapi/dnnl/dnnl.h
FILECHECK := /usr/bin/FileCheck-22
MLIR_OPT := /usr/bin/mlir-opt-22
# lit: the versioned wrapper if it is on PATH, else the script llvm-22-tools ships
# (resolved when the recipe runs, after `deps` may have installed it).
LIT = $$(command -v lit-22 || echo /usr/lib/llvm-22/bin/lit)
LIT_FLAGS ?= -sv
EXAMPLE ?= examples/linear_relu_joint.mlir

# Where lit finds the tools it tests (read by lit-tests/lit.cfg.py).
RELEASE_DIR := $(CARGO_TARGET_DIR)/release
DEBUG_DIR := $(CARGO_TARGET_DIR)/debug
CARGO_LOG := $(CARGO_TARGET_DIR)/cargo-test.log
LIT_LOG := $(CARGO_TARGET_DIR)/lit.log

.PHONY: deps build build-debug test cargo-test lit run bench bench-gemm fmt clippy

## deps: install the LLVM/MLIR 22 tools and libraries and oneDNN when any is missing
## (idempotent).
deps: graphviz
	@missing=0; \
	for f in $(FILECHECK) $(MLIR_OPT) /usr/lib/llvm-22/bin/not /usr/lib/llvm-22/bin/llvm-config; do \
	  [ -x "$$f" ] || missing=1; \
	done; \
	[ -f $(DNNL_HEADER) ] || missing=1; \
	command -v lit-22 >/dev/null 2>&1 || [ -x /usr/lib/llvm-22/bin/lit ] || missing=1; \
	if [ "$$missing" = 1 ]; then \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  install="$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PACKAGES)"; \
	  if ! apt-cache show llvm-22-tools >/dev/null 2>&1; then $$SUDO apt-get update; fi; \
	  $$install || { $$SUDO apt-get update && $$install; }; \
	fi; \
	command -v $(CARGO) >/dev/null || { echo "error: cargo not found (install Rust 1.95)" >&2; exit 1; }

## build: release build of the tools, and the runtime's shared library
## (libjoinery_runtime.so, C ABI of runtime/include/joinery.h) next to them in target/release.
build:
	$(CARGO) build --release --bins
	$(CARGO) build --release -p joinery-runtime --lib

build-debug:
	$(CARGO) build --bins

## test: clippy (warnings are errors; it fails fast, as a build error does), unit/integration
## tests (cargo), the lit suite (against the debug build, which cargo test has compiled
## anyway), the PyTorch conformance zoo (in the venv), then one closing summary line over
## the last three.
PYTEST_LOG := $(CARGO_TARGET_DIR)/pytest.log
test: deps venv
	@mkdir -p $(CARGO_TARGET_DIR)
	$(CARGO) build --workspace --all-targets
	$(MAKE) --no-print-directory clippy
	@cargo_rc=0; $(CARGO) test --workspace --no-fail-fast 2>&1 | tee $(CARGO_LOG) || cargo_rc=$$?; \
	lit_rc=0; JOINERY_TOOLS_DIR=$(DEBUG_DIR) $(LIT) $(LIT_FLAGS) lit-tests 2>&1 | tee $(LIT_LOG) || lit_rc=$$?; \
	pytest_rc=0; JOINERY_TOOLS_DIR=$(DEBUG_DIR) $(VENV_PY) -m pytest $(PYTEST_FLAGS) tests/torch 2>&1 | tee $(PYTEST_LOG) || pytest_rc=$$?; \
	python3 .ci/summarize.py --cargo $(CARGO_LOG) $$cargo_rc --lit $(LIT_LOG) $$lit_rc --pytest $(PYTEST_LOG) $$pytest_rc

cargo-test:
	$(CARGO) test --workspace --no-fail-fast

## lit: the FileCheck suite against the tools in JOINERY_TOOLS_DIR (default: release build).
JOINERY_TOOLS_DIR ?= $(RELEASE_DIR)
lit:
	@if [ "$(JOINERY_TOOLS_DIR)" = "$(RELEASE_DIR)" ]; then $(MAKE) --no-print-directory build; fi
	@mkdir -p $(CARGO_TARGET_DIR)
	JOINERY_TOOLS_DIR=$(JOINERY_TOOLS_DIR) $(LIT) $(LIT_FLAGS) lit-tests 2>&1 | tee $(LIT_LOG)

## run: train the bundled MLP natively (text -> LLVM -> falling loss), SGD on synthetic data
## (`make train-plot` trains an exported model on real samples against PyTorch).
## Installs what is missing first (`deps`, as `make test` does), so it works as a first command.
TRAIN_EXAMPLE ?= examples/mlp_joint.mlir
TRAIN_FLAGS ?= --steps 30 --lr 0.1
run: deps
	$(CARGO) build --release -p joinery-run
	$(RELEASE_DIR)/joinery-run train $(TRAIN_EXAMPLE) $(TRAIN_FLAGS)

## bench: parse+verify+print against mlir-opt-22, 200k and 2M ops x generic/pretty x one
## function/many functions. BENCH_FLAGS picks rows, e.g. "--sizes 200000 --forms pretty --runs 5".
BENCH_FLAGS ?=
bench: build
	python3 bench/parse_print.py --joinery-opt $(RELEASE_DIR)/joinery-opt --mlir-opt $(MLIR_OPT) \
	  $(BENCH_FLAGS)

## bench-gemm: every GEMM of the benchmark workloads (bench/workloads.py), the runtime's
## GEMM step against torch.mm/bmm on the same shapes and strides, 2 threads each.
## BENCH_GEMM_FLAGS=--candidates adds the matrixmultiply crate.
BENCH_GEMM_FLAGS ?=
bench-gemm: deps venv
	$(CARGO) build --release -p joinery-translate
	$(CARGO) build --release -p joinery-runtime --example gemm_shapes
	$(VENV_PY) bench/gemm_vs_torch.py --translate $(RELEASE_DIR)/joinery-translate \
	  --gemm-bench $(RELEASE_DIR)/examples/gemm_shapes $(BENCH_GEMM_FLAGS)

## bench-conv: native convolution forward, input and weight gradients against PyTorch's
## on ResNet- and MobileNet-style shapes (bench/conv_vs_torch.py), 2 threads each.
BENCH_CONV_FLAGS ?= --iters 11
.PHONY: bench-conv
bench-conv: deps venv
	$(CARGO) build --release -p joinery-run
	$(VENV_PY) bench/conv_vs_torch.py --joinery-run $(RELEASE_DIR)/joinery-run $(BENCH_CONV_FLAGS)

fmt:
	$(CARGO) fmt --all

## clippy: the lints, warnings as errors (part of `make test`). It checks the workspace
## against the same dependency graph as the build, in the same target dir; adds the clippy
## component through rustup when the toolchain lacks it.
clippy:
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# ----- PyTorch bridge (tools/torch) and its conformance zoo (tests/torch) -----
# `make torch-test` creates the venv when missing (torch from PyPI, CPU execution), builds
# joinery-opt and joinery-run, and runs the zoo against them.
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
TORCH_SPEC ?= torch
PYTEST_FLAGS ?= -q

.PHONY: venv torch-test

## venv: $(VENV) with torch, numpy, pytest, maturin, matplotlib and the bridge package (editable), and
## the bridge's native extension built when missing or older than its Rust sources; idempotent.
## pip keeps no cache: torch with its CUDA libraries is about 5 GB installed, and a second
## copy of the wheels in ~/.cache would double what a fresh machine needs free.
TORCH_EXT_SOURCES := $(wildcard runtime/src/*.rs runtime/dtype/src/*.rs tools/torch/ext/src/*.rs) \
  runtime/Cargo.toml tools/torch/ext/Cargo.toml \
  $(wildcard runtime/guard/src/*.rs) runtime/guard/Cargo.toml
venv:
	@if ! $(VENV_PY) -c 'import torch, numpy, pytest, maturin, matplotlib' >/dev/null 2>&1; then \
	  [ -x "$(VENV_PY)" ] || python3 -m venv $(VENV); \
	  $(VENV_PY) -m pip install --no-cache-dir --upgrade pip; \
	  $(VENV_PY) -m pip install --no-cache-dir '$(TORCH_SPEC)' numpy pytest 'maturin>=1.5,<2' matplotlib; \
	fi
	@ext=$$(find tools/torch/joinery_torch -maxdepth 1 -name '_native*.so' -print -quit); \
	if [ -z "$$ext" ] || [ -n "$$(find $(TORCH_EXT_SOURCES) -newer "$$ext" 2>/dev/null)" ] \
	   || ! $(VENV_PY) -c 'import joinery_torch._native' >/dev/null 2>&1; then \
	  VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release \
	    -m tools/torch/ext/Cargo.toml; \
	fi

## torch-test: export every zoo model, check round trip, descriptor tables and numerics.
torch-test: venv build-debug
	JOINERY_TOOLS_DIR=$(DEBUG_DIR) $(VENV_PY) -m pytest $(PYTEST_FLAGS) tests/torch

# ----- Fuzzing (fuzz/, cargo-fuzz on nightly) and sanitizers -----
# Targets without LLVM: parse, verify, pass, interp, npy, capi; `l3_pipeline` links LLVM
# (`--features llvm`). Each run reads the seeds (fuzz/corpus/<target>, made by
# fuzz/seed.sh, not committed) and the committed minimized findings
# (fuzz/regressions/<target>); new inputs go to the first. Campaigns run niced.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS := parse verify pass interp npy capi
FUZZ_LLVM_TARGETS := l3_pipeline
FUZZ_DICT_TARGETS := parse verify pass interp l3_pipeline
FUZZ := cargo +nightly fuzz
FUZZ_NICE ?= nice -n 15
ASAN_DIR := $(CURDIR)/target/asan

.PHONY: nightly fuzz-build fuzz-seed fuzz fuzz-smoke asan compile-loop

## nightly: the nightly toolchain (with rust-src, for -Zbuild-std) and cargo-fuzz, when
## missing (idempotent).
nightly:
	@rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
	@rustup component list --toolchain nightly --installed | grep -q '^rust-src' || rustup component add rust-src --toolchain nightly
	@$(FUZZ) --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

## fuzz-build: every fuzz target with AddressSanitizer (FUZZ_LLVM=0 skips l3_pipeline).
FUZZ_LLVM ?= 1
FUZZ_ALL := $(FUZZ_TARGETS) $(if $(filter 1,$(FUZZ_LLVM)),$(FUZZ_LLVM_TARGETS))
fuzz-build: nightly
	cd fuzz && $(FUZZ) build
	$(if $(filter 1,$(FUZZ_LLVM)),cd fuzz && $(FUZZ) build --features llvm $(FUZZ_LLVM_TARGETS))

## fuzz-seed: the seed corpora and the C ABI target's libraries (fuzz/seed.sh).
fuzz-seed:
	$(CARGO) build -p joinery-opt -p joinery-translate
	JOINERY_TOOLS_DIR=$(DEBUG_DIR) sh fuzz/seed.sh

# fuzz_run TARGET SECONDS: one niced libFuzzer job on the seeds and the regressions.
define fuzz_run
	mkdir -p fuzz/corpus/$(1) fuzz/regressions/$(1)
	cd fuzz && $(FUZZ_NICE) $(FUZZ) run $(if $(filter $(1),$(FUZZ_LLVM_TARGETS)),--features llvm) \
	  $(1) corpus/$(1) regressions/$(1) -- -max_total_time=$(2) -timeout=60 -print_final_stats=1 \
	  $(if $(filter $(1),$(FUZZ_DICT_TARGETS)),-dict=mlir.dict)

endef

## fuzz: every target for FUZZ_SECONDS each (default 60), one after the other.
fuzz: fuzz-build fuzz-seed
	$(foreach t,$(FUZZ_ALL),$(call fuzz_run,$(t),$(FUZZ_SECONDS)))

## fuzz-smoke: the targets without LLVM for FUZZ_SMOKE_SECONDS each (default 5), after
## replaying the committed regressions: a cheap check that every finding stays fixed.
fuzz-smoke: nightly fuzz-seed
	cd fuzz && $(FUZZ) build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_SMOKE_SECONDS)))

## fuzz-campaign: CAMPAIGN_RUNS executions (default 10^7) of each text target (parse, verify,
## pass), parse and pass side by side, then verify. For throughput the build has no sanitizer
## (safe Rust; `make asan` and `make fuzz` cover memory errors), debug assertions on, and
## edge coverage without compare tracing: lalrpop's state tables are large `match`es whose
## switch tracing costs 3-4x the executions. Its own target dir (target/fuzz-fast).
CAMPAIGN_RUNS ?= 10000000
define campaign_run
(mkdir -p fuzz/corpus/$(1) fuzz/regressions/$(1) && cd fuzz && $(FUZZ_NICE) $(CARGO_TARGET_DIR)/fuzz-fast/x86_64-unknown-linux-gnu/release/$(1) corpus/$(1) regressions/$(1) -dict=mlir.dict -runs=$(CAMPAIGN_RUNS) -timeout=60 -print_final_stats=1)
endef
.PHONY: fuzz-campaign
fuzz-campaign: nightly fuzz-seed
	cd fuzz && $(FUZZ) build -s none -a --no-trace-compares --target-dir $(CARGO_TARGET_DIR)/fuzz-fast
	( $(call campaign_run,parse) && $(call campaign_run,verify) ) & text=$$!; \
	  $(call campaign_run,pass); wait $$text

## asan: the runtime's and the native backend's (JIT) tests under AddressSanitizer, with
## the standard library rebuilt instrumented (own target dir, target/asan); the C programs
## of the C ABI tests are compiled with -fsanitize=address to link the instrumented cdylib.
asan: nightly
	RUSTFLAGS=-Zsanitizer=address RUSTDOCFLAGS=-Zsanitizer=address CARGO_TARGET_DIR=$(ASAN_DIR) \
	  JOINERY_TEST_CFLAGS=-fsanitize=address \
	  cargo +nightly test -Zbuild-std --target x86_64-unknown-linux-gnu \
	  -p joinery-runtime -p joinery-native

## compile-loop: 10,000 native compiles of the MLP in one process, RSS every 1,000.
compile-loop:
	$(CARGO) run -p joinery-native --example compile_loop -- 10000 1000

# ----- Pictures for the docs: graphs (Graphviz) and the training plot -----
.PHONY: graphviz docs-pictures train-plot

## graphviz: Graphviz's `dot` (Debian package graphviz) when missing (idempotent); renders
## what `--view-op-graph` and `--view-partition` write.
graphviz:
	@if ! command -v dot >/dev/null 2>&1; then \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  install="$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends graphviz"; \
	  $$install || { $$SUDO apt-get update && $$install; }; \
	fi

## docs-pictures: docs/mlp_partition.svg, the bundled MLP's min-cut partition drawn by
## `--view-partition` (forward, backward, saved and recomputed ops in colour).
PARTITION_DOT := $(CARGO_TARGET_DIR)/mlp_partition.dot
docs-pictures: graphviz
	$(CARGO) build -p joinery-opt
	@mkdir -p docs
	$(DEBUG_DIR)/joinery-opt $(TRAIN_EXAMPLE) --aot-partition='strategy=min-cut' \
	  --view-partition='print-attrs=false' -o /dev/null 2> $(PARTITION_DOT)
	dot -Tsvg $(PARTITION_DOT) -o docs/mlp_partition.svg

## train-plot: docs/train_loss.png, an MLP exported with its weights and trained by
## `joinery-run train` (Adam, held-out split) next to torch.optim.Adam on the same samples.
train-plot: venv
	$(CARGO) build -p joinery-run
	$(VENV_PY) examples/train_vs_torch.py --tools $(DEBUG_DIR) --out docs/train_loss.png

# ----- Benchmarks of the README's tables (release build; each prints the CPU) -----
.PHONY: bench-native bench-conv bench-torch-compile bench-partition bench-residual bench-pass-scaling bench-mlir

## bench-native: one joint training step of bench/workloads.py, native against eager and inductor.
bench-native: deps venv build
	$(VENV_PY) bench/native_vs_torch.py --joinery-run $(RELEASE_DIR)/joinery-run --iters 15

## bench-mlir: one joint training step of bench/workloads.py, the MLIR path against native.
bench-mlir: deps venv build
	$(VENV_PY) bench/mlir_vs_native.py --joinery-run $(RELEASE_DIR)/joinery-run --iters 5

## bench-torch-compile: training steps through torch.compile(backend="joinery") and compile_joint.
bench-torch-compile: deps venv build
	JOINERY_TOOLS_DIR=$(RELEASE_DIR) $(VENV_PY) bench/torch_compile_vs_torch.py

## bench-partition: joinery's aot-partition against PyTorch's min-cut partitioner.
bench-partition: deps venv build
	$(VENV_PY) bench/partition_vs_torch.py --tools $(RELEASE_DIR) --residual-layers 50 200

## bench-residual: aot-partition on residual-stack joints up to 100,000 ops.
bench-residual:
	$(CARGO) run --release -p joinery-partition --example residual_bench

## bench-pass-scaling: each pass's time per op on generated joints of growing size.
PASS_SCALING_SIZES ?= 10000 100000
bench-pass-scaling: build
	python3 bench/pass_scaling.py --opt $(RELEASE_DIR)/joinery-opt --sizes $(PASS_SCALING_SIZES)
