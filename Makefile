# GRUKit — the two commands:
#   make        install what is missing, build in release, fetch the data,
#               run every chapter at its quick default and render every figure
#   make test   install what is missing and run the whole test suite
#
# Other targets: make build | data | chapters | chapter N=01 ARGS="…" | test-blas | test-slurm | bench | compare | book | docs | clean
# Settings:      GRUKIT_DATA=DIR (where the data sets live, default ./data)
#                TARGET_CPU=NAME (default haswell where the CPU has AVX2 and FMA; empty: baseline x86-64)

SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)
# libgnuplot-iostream-dev (the C++ library under the figure layer) pulls in the Boost -dev packages
# it links against (iostreams, system, filesystem); gnuplot-nox, named beside it, is the gnuplot it
# depends on, so no Qt or X11 build of gnuplot comes along. pkg-config finds OpenBLAS for the CLAPACK module.
DEB_PACKAGES := pkg-config libopenblas-dev liblapacke-dev zlib1g-dev gnuplot-nox libgnuplot-iostream-dev
# Vector instructions: on a CPU with AVX2 and FMA (x86-64 since 2013–2015) the Swift code is compiled
# for them (-target-cpu haswell), so the engine's eight-lane loops (the softmax, the GRU's gates) run as
# one 256-bit instruction each instead of two SSE ones (the softmax of a PTB window at H = 128 took
# 4.4 ms instead of 6.6, the fastest of six runs each). The numbers are a baseline build's, bit for bit:
# lane-wise IEEE arithmetic is the same either way and no fused multiply-add is formed (Swift does not
# contract a·b + c). TARGET_CPU= builds for baseline x86-64, as a plain `swift build` does.
TARGET_CPU ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && echo haswell)
# Package.swift lists the chapters, so SwiftPM's manifest and build caches stay on.
SWIFTPM_FLAGS := $(if $(TARGET_CPU),-Xswiftc -target-cpu -Xswiftc $(TARGET_CPU))
CHAPTERS := $(sort $(notdir $(patsubst %/main.swift,%,$(wildcard Chapters/*/main.swift))))

.PHONY: all deps build data chapters chapter test test-blas test-slurm bench compare book docs clean

all: deps build data chapters

# Installs the Debian packages $(1) that are missing (root: apt-get; otherwise prints the command and fails).
define install_missing
	missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "GRUKit needs these Debian packages:$$missing"; \
	    echo "Install them with:  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

## deps: install the Debian packages a fresh machine lacks (root: apt-get; otherwise print the command)
deps:
	@$(call install_missing,$(DEB_PACKAGES)); \
	command -v $(SWIFT) >/dev/null || { echo "A Swift toolchain (6.0 or newer) is required: https://www.swift.org/install/"; exit 1; }

build: deps
	$(SWIFT) build -c $(CONFIG) $(SWIFTPM_FLAGS)

## data: copy or download PTB and Nottingham into $(GRUKIT_DATA) (default ./data) and verify sha256 sums
data:
	@bash scripts/fetch-data.sh

## chapters: run every chapter at its quick default; each writes figures/NN-slug/ (and its terminal output to output.txt);
##           chapter 5 also draws its standard-scale and paper-scale sections from the committed logs in
##           results/ptb-standard/ and results/ptb-paper/
chapters: build
	@set -eo pipefail; for c in $(CHAPTERS); do $(call run_chapter,$$c); done

## chapter: build and run one chapter into figures/NN-slug/ with its flags, e.g.
##             make chapter N=01 ARGS="--w-hh 1.9,2.1"      make chapter N=02 ARGS=--help
##          With no ARGS it is one chapter of `make chapters` (output.txt included). With ARGS the figures
##          are no longer the default run's, so output.txt is removed: `make book` then reruns the chapter
##          at its default before weaving, instead of showing these figures beside the default output.
N ?=
ARGS ?=
chapter: deps
	@slug="$(filter $(N)-%,$(CHAPTERS))"; \
	if [ -z "$(N)" ] || [ -z "$$slug" ]; then \
	  echo "make chapter: N must be one of: $(foreach c,$(CHAPTERS),$(firstword $(subst -, ,$(c))))  (e.g. make chapter N=01 ARGS=--help)"; exit 1; \
	fi; \
	echo "$(SWIFT) build -c $(CONFIG) $(SWIFTPM_FLAGS) --product ch$$slug"; \
	$(SWIFT) build -c $(CONFIG) $(SWIFTPM_FLAGS) --product ch$$slug || exit 1; \
	if [ -z '$(ARGS)' ]; then \
	  set -eo pipefail; $(call run_chapter,$$slug); \
	else \
	  mkdir -p figures/$$slug && rm -f figures/$$slug/output.txt; \
	  echo "$(BIN)/ch$$slug $(ARGS)"; \
	  $(BIN)/ch$$slug $(ARGS); \
	fi

# Runs chapter $(1) at its quick default, its terminal output saved to figures/$(1)/output.txt (last,
# so that a missing output.txt means the chapter has not run to the end). Only standard output goes
# through tee: standard error stays on the terminal, where the progress bars are drawn.
define run_chapter
	  echo; echo "════ ch$(1) ════"; \
	  mkdir -p figures/$(1); \
	  args=""; case $(1) in 05-penn-treebank) args="--from-logs results/ptb-paper --standard-logs results/ptb-standard";; \
	                        06-nottingham) args="--standard-logs results/nottingham-standard";; \
	                        07-cost) args="--from-logs results/ptb-paper";; esac; \
	  $(BIN)/ch$(1) $$args | tee figures/$(1)/output.txt.part; \
	  mv figures/$(1)/output.txt.part figures/$(1)/output.txt
endef

## book: weave every chapter into book/NN-slug.md with its output and figures, first fetching the data
##       (as make does) and running each chapter whose figures/NN-slug/output.txt is missing or older
##       than anything its run depends on: its folder, anything under Sources/, Package.swift, the data
##       sets and the committed logs in results/*/ (a fresh clone runs them all). One rule for every
##       chapter: it may rerun a chapter that did not need it, never skip one that did. (results/claims.md,
##       which grukit-book itself writes, is not an input: the folders under results/ are.)
BOOK_INPUTS = Chapters/$(1) Sources Package.swift $(wildcard results/*/) $${GRUKIT_DATA:-data}
book: build data
	@set -eo pipefail; for c in $(CHAPTERS); do \
	  if [ ! -f figures/$$c/output.txt ] || \
	     [ -n "$$(find $(call BOOK_INPUTS,$$c) -newer figures/$$c/output.txt -print -quit 2>/dev/null)" ]; then \
	    $(call run_chapter,$$c); \
	  fi; \
	done
	$(BIN)/grukit-book

## test: the tests that need the data sets run when `make data` can provide them and are skipped otherwise
##       swift test builds every target, the chapters' executables included, in one pass: a separate
##       swift build first would compile the package twice (the tests' build uses other flags).
test: deps
	@bash scripts/fetch-data.sh || echo "Data sets unavailable: the tests that need them will be skipped."
	$(SWIFT) test -c $(CONFIG) $(SWIFTPM_FLAGS) --disable-swift-testing
	@GRUKIT_BIN=$(BIN) bash scripts/slurm-test.sh --if-available

## test-blas: the whole test suite on a second BLAS and LAPACK, Debian's reference (netlib) ones from
##            libblas-dev and liblapack-dev, instead of OpenBLAS: built in .build-refblas (the default
##            build in .build is untouched), the core linked through pkg-config to a package that names
##            the reference libraries' own folders, which also come first at run time (LD_LIBRARY_PATH).
##            Debian's blas.pc and blas-netlib.pc name -lblas in the folder the alternatives system
##            points at (OpenBLAS's when it is installed), and cblas.h is OpenBLAS's too, so this writes
##            its own .pc and header folder rather than switching the machine's alternatives.
REFBLAS_PACKAGES := libblas-dev liblapack-dev liblapacke-dev
REFBLAS := .build-refblas
test-blas: deps
	@$(call install_missing,$(REFBLAS_PACKAGES))
	@set -eo pipefail; \
	blas=$$(dirname "$$(dpkg -L libblas3 | grep '/blas/libblas\.so\.3$$' | head -1)"); \
	lapack=$$(dirname "$$(dpkg -L liblapack3 | grep '/lapack/liblapack\.so\.3$$' | head -1)"); \
	header=$$(dpkg -L libblas-dev | grep '/cblas-netlib\.h$$' | head -1); \
	[ -d "$$blas" ] && [ -d "$$lapack" ] && [ -f "$$header" ] || { echo "make test-blas: reference BLAS/LAPACK files not found"; exit 1; }; \
	mkdir -p $(REFBLAS)/pkgconfig $(REFBLAS)/include; \
	ln -sf "$$header" $(REFBLAS)/include/cblas.h; \
	printf '%s\n' "Name: refblas" "Description: Debian's reference BLAS and LAPACK (netlib), for make test-blas" \
	  "Version: $$(dpkg-query -W -f='$${Version}' libblas3)" \
	  "Libs: -L$$blas -L$$lapack -lblas -llapack" "Cflags: -I$(CURDIR)/$(REFBLAS)/include" > $(REFBLAS)/pkgconfig/refblas.pc; \
	echo "BLAS $$blas/libblas.so.3, LAPACK $$lapack/liblapack.so.3, CBLAS header $$header"; \
	export GRUKIT_BLAS=refblas PKG_CONFIG_PATH=$(CURDIR)/$(REFBLAS)/pkgconfig LD_LIBRARY_PATH=$$blas:$$lapack$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}; \
	bash scripts/fetch-data.sh || echo "Data sets unavailable: the tests that need them will be skipped."; \
	echo "GRUKIT_BLAS=$$GRUKIT_BLAS $(SWIFT) test -c $(CONFIG) $(SWIFTPM_FLAGS) --scratch-path $(REFBLAS) --disable-swift-testing"; \
	$(SWIFT) test -c $(CONFIG) $(SWIFTPM_FLAGS) --scratch-path $(REFBLAS) --disable-swift-testing

## test-slurm: the sweeps' Slurm mode on a real single-node cluster started on this machine (root; installs
##             slurm-wlm and munge when missing); fails when it cannot start one, where make test skips it
test-slurm: build
	GRUKIT_BIN=$(BIN) bash scripts/slurm-test.sh

## docs: the API reference of GRUKit with DocC, in .build/docs (open .build/docs/documentation/grukit/index.html)
##       and fails when a public symbol of GRUKit has no doc comment
# doc-coverage reads the symbol graphs DocC's plugin extracted for GRUKit alone (public symbols, into
# .build/<triple>/extracted-symbols/<package>/GRUKit/: GRUKit.symbols.json and GRUKit@Module.symbols.json
# for extensions of other modules' types), the newest such folder. `swift package dump-symbol-graph`
# is not used: it extracts every module of the package, the tests' too, and fails without a test build.
docs: deps
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target GRUKit \
	  --output-path .build/docs --transform-for-static-hosting --hosting-base-path GRUKit
	$(SWIFT) build -c $(CONFIG) $(SWIFTPM_FLAGS) --product doc-coverage
	@graphs=$$(find .build -type d -path '*/extracted-symbols/*/GRUKit' -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2-); \
	if [ -z "$$graphs" ] || [ ! -f "$$graphs/GRUKit.symbols.json" ]; then \
	  echo "make docs: DocC's plugin left no GRUKit.symbols.json under .build/*/extracted-symbols/*/GRUKit/"; exit 1; \
	fi; \
	echo "$(BIN)/doc-coverage $$graphs/GRUKit*.symbols.json"; \
	$(BIN)/doc-coverage "$$graphs"/GRUKit*.symbols.json

## bench: seconds per training iteration and the projection's cost on the paper's PTB shape
bench: build
	$(BIN)/gru-bench

## compare: the same model timed in PyTorch and in gru-bench for H = 128, 256, 650, 1024, with the
## ratio, into figures/compare/. PyTorch lives in a project-local virtual environment, created and
## filled (pip install torch numpy: about 3 GB with the CUDA wheels PyPI ships, a few minutes; the
## CPU path is what is timed) when `import torch` fails in it. Without it, GRUKit's numbers alone.
##   make compare COMPARE_FLAGS="--hidden-sizes 650 --repeats 5"   (see scripts/compare-pytorch.py -h)
##   make compare COMPARE_PIP_FLAGS="--index-url https://download.pytorch.org/whl/cpu"   (CPU wheels)
COMPARE_VENV ?= .venv-compare
COMPARE_FLAGS ?=
COMPARE_PIP_FLAGS ?=
compare: build
	@py=$(COMPARE_VENV)/bin/python; \
	if ! $$py -c 'import torch' >/dev/null 2>&1; then \
	  if ! $$py -m pip --version >/dev/null 2>&1; then \
	    echo "python3 -m venv $(COMPARE_VENV)"; \
	    if ! python3 -m venv $(COMPARE_VENV); then \
	      py=python3; \
	      echo "make compare: python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv); no PyTorch, GRUKit alone"; \
	    fi; \
	  fi; \
	  if [ "$$py" != python3 ]; then \
	    echo "$$py -m pip install $(COMPARE_PIP_FLAGS) torch numpy   # about 3 GB from PyPI, a few minutes"; \
	    $$py -m pip install $(COMPARE_PIP_FLAGS) torch numpy || \
	      echo "make compare: pip install torch numpy failed; no PyTorch, GRUKit alone"; \
	  fi; \
	fi; \
	echo "$$py scripts/compare-pytorch.py --gru-bench $(BIN)/gru-bench $(COMPARE_FLAGS)"; \
	$$py scripts/compare-pytorch.py --gru-bench $(BIN)/gru-bench $(COMPARE_FLAGS)

clean:
	rm -rf .build $(REFBLAS)
