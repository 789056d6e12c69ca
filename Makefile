# Modern Convolutional Neural Networks: the book's commands.  `make help` lists them.
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The sample of Fashion-MNIST beside the repository (CI and these offline machines); readers with
# internet access need nothing here: the data is downloaded into data/ on first use.
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/FashionMNIST/raw),)
export CNNBOOK_DATA ?= $(SHARED_DATA)
endif

# Teachers: `make html SOLUTIONS=hide` / `make pdf SOLUTIONS=hide` build the book without the
# exercises' solutions, into _build/no-solutions/html and artifacts/no-solutions/pdf (the default
# build, solutions folded in HTML and printed in the PDF, stays in _build/html and artifacts/pdf).
SOLUTIONS ?= show
ifeq ($(SOLUTIONS),hide)
BOOK_OPTS := --solutions hide --build _build/no-solutions --artifacts artifacts/no-solutions
else ifeq ($(SOLUTIONS),show)
BOOK_OPTS :=
else
$(error SOLUTIONS=$(SOLUTIONS): use SOLUTIONS=show (default) or SOLUTIONS=hide)
endif

NOTEBOOKS ?= $(shell find chapters -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

# Debian packages: CJK fonts for plots, LaTeX (xelatex + xeCJK) for the PDF, poppler for PDF
# checks, Chromium for the browser test.
APT_PACKAGES := fonts-noto-cjk fonts-freefont-otf poppler-utils chromium chromium-driver \
	latexmk xindy texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-latex-recommended \
	texlive-fonts-recommended texlive-fonts-extra texlive-plain-generic

.PHONY: help install install-python format check test test-unit test-notebooks test-notebooks-emulated test-book test-gpu html pdf lab bench outputs experiments translations colab slides clean

help:
	@echo "make install         Debian packages + Python packages + the cnnbook helper package"
	@echo "make html            build the HTML book (English and Chinese) from the stored outputs"
	@echo "make pdf             build the PDF book and per-section handouts (English and Chinese)"
	@echo "  ... SOLUTIONS=hide   (html, pdf) without the exercises' solutions, for students"
	@echo "make lab             open JupyterLab on the book"
	@echo "make format          format the package with black (88 columns; the book's code column)"
	@echo "make check           the fast tests (no book build, no notebook, nothing slow): the edit-test loop"
	@echo "make test            every test: package, notebooks (re-executed, also on an emulated other CPU), book builds"
	@echo "make test-unit       the package's tests, the slow ones included"
	@echo "make test-notebooks  re-execute the notebooks and compare their outputs (NOTEBOOKS=\"chapters/en/...ipynb ...\")"
	@echo "make test-notebooks-emulated   re-execute notebooks as on another CPU (oneDNN SSE4.1, 1 thread; EMULATED_NOTEBOOKS=...)"
	@echo "make test-book       build the HTML and PDF books and check them"
	@echo "make experiments     re-run every experiment of the book and store its results (slow; ONLY=, WORKERS=, SCHEDULER=, CACHE=)"
	@echo "make translations    list the Chinese cells to update (--stamp after translating: see CONTRIBUTING.md)"
	@echo "make colab           write the Colab edition (colab/): the notebooks in plain Markdown, without outputs"
	@echo "make slides          slide decks of every section (artifacts/slides/<lang>/<section>.html and .pdf; NOTEBOOKS=...)"
	@echo "make test-gpu        re-execute every notebook on a GPU (errors and figures of another structure fail)"
	@echo "make bench           speed benchmarks (ratios measured in one run)"
	@echo "make bench-full      full-profile speed of every section, from the sample repeated (speed only)"
	@echo "make bench-runner    one noise experiment inline, on 2 processes and on a 2-worker Dask cluster"
	@echo "make results         train every section's full profile, record results/full_profile.csv (full data)"
	@echo "make outputs         re-execute the notebooks and store their outputs and figure references (fast profile on CPU; NOTEBOOKS=...)"
	@echo "make install-python  only the Python packages and the cnnbook package"
	@echo "make clean           remove the build folders"

install:
	@if command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(APT_PACKAGES); \
	else echo "apt-get not found: install the equivalents of $(APT_PACKAGES) yourself"; fi
	$(MAKE) install-python

install-python:
	$(PYTHON) -m pip install -r requirements.txt
	$(PYTHON) -m pip install -e code

test: test-unit test-notebooks test-notebooks-emulated test-book

test-unit:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests --ignore=tests/book --ignore=tests/notebook_metrics

# The edit-test loop: the unit tests and the book's structure and glossary checks, without the
# slow ones (smoke experiments, the runner, the tracer, fuzzing, torchvision parity), the book
# builds and the notebooks (pytest markers: pytest.ini).
format:
	$(PYTHON) -m black -q -l 88 code/cnnbook

check:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests --ignore=tests/notebook_metrics -m "not slow and not book"

# Notebooks (CONTRIBUTING.md): nbval re-executes them and compares every output exactly, except
# what tests/nbval_sanitize.cfg masks (the numbers of trained results); then
# tests/notebook_metrics compares the trained numbers, recorded during the run, within the
# tolerance measured by the section's noise experiment.
NBVAL := $(PYTHON) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
	--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600
METRICS_DIR := build/metrics
check_notebooks = rm -rf $(METRICS_DIR)/$(1) && \
	env $(2) CNNBOOK_PROFILE=fast CNNBOOK_METRICS_DIR=$(METRICS_DIR)/$(1) $(NBVAL) $(3) && \
	CNNBOOK_METRICS_DIR=$(METRICS_DIR)/$(1) CNNBOOK_METRICS_NOTEBOOKS="$(3)" \
		$(PYTHON) -m pytest -q -p no:cacheprovider tests/notebook_metrics

test-notebooks:
	$(call check_notebooks,native,,$(NOTEBOOKS))

# The same check as on another reader's CPU: oneDNN limited to SSE4.1 kernels and one thread
# (other rounding, other summation order).  With many sections it covers a subset decided by the
# commit (scripts/rotating_subset.py): the pages it changed, then a rotation by its hash.
EMULATED_CPU ?= ONEDNN_MAX_CPU_ISA=SSE41 OMP_NUM_THREADS=1
EMULATED_PAGES ?= 6
EMULATED_NOTEBOOKS = $(shell $(PYTHON) scripts/rotating_subset.py --pages $(EMULATED_PAGES) $(NOTEBOOKS))
test-notebooks-emulated:
	@echo "emulated CPU: $(EMULATED_CPU); notebooks: $(EMULATED_NOTEBOOKS)"
	$(call check_notebooks,emulated,$(EMULATED_CPU),$(EMULATED_NOTEBOOKS))

# Every experiment of the book, re-run for real (minutes to hours on a CPU); results are stored in
# code/cnnbook/experiments/results/ with their provenance.  The list is cnnbook.experiments.registry
# (`python -m cnnbook.experiments` prints it).  WORKERS=2 runs two jobs at once on local
# processes; SCHEDULER=tcp://host:8786 (or CNNBOOK_SCHEDULER) runs them on a Dask cluster;
# ONLY="alexnet_noise vgg_depth" re-makes only those results.  CI re-runs them in smoke mode only.
EXPERIMENT_OPTIONS = $(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) \
	$(if $(CACHE),--cache $(CACHE)) $(if $(ONLY),--only $(ONLY))
experiments:
	$(PYTHON) -m cnnbook.experiments --run $(EXPERIMENT_OPTIONS)

test-gpu:
	$(PYTHON) scripts/run_notebooks.py --gpu $(NOTEBOOKS)

test-book:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/book

html:
	$(PYTHON) scripts/build_book.py html $(BOOK_OPTS)

pdf:
	$(PYTHON) scripts/build_book.py pdf $(BOOK_OPTS)

# JupyterLab refuses to start as root unless told to (containers, Colab-like VMs).
lab:
	$(PYTHON) -m jupyter lab chapters $(if $(SUDO),,--allow-root)

bench:
	$(PYTHON) scripts/bench.py

# The experiment runner: one section's noise experiment inline, on 2 local processes and on a
# 2-worker Dask LocalCluster (wall times, and the same numbers all three ways).  BENCH_RUNNER_ARGS=--epochs 2
bench-runner:
	$(PYTHON) scripts/bench_runner.py $(BENCH_RUNNER_ARGS)

# Speed only: each section's full-profile model, image size and batch size, fed from the sample
# repeated to 60,000 images through the device data path.  BENCH_FULL_ARGS=--steps 5, etc.
.PHONY: bench-full bench-runner results
bench-full:
	$(PYTHON) scripts/bench.py --full-profile-speed $(BENCH_FULL_ARGS)

# Needs the full Fashion-MNIST (refuses the sample): CNNBOOK_DATA=/path/to/full make results
results:
	$(PYTHON) scripts/results.py

outputs:
	CNNBOOK_PROFILE=fast $(PYTHON) scripts/run_notebooks.py --store $(NOTEBOOKS)

# The cells whose English changed since their Chinese twin was translated (with the diff), and the
# rejected glossary terms; exit status 1 if any.  After translating: python3 scripts/translations.py --stamp
translations:
	$(PYTHON) scripts/translations.py

# The Colab edition: colab/<lang>/<chapter>/<page>.ipynb, each notebook with its MyST (exercises,
# citations, cross-references...) rewritten in the plain Markdown Colab renders, and without outputs.
# `python3 scripts/colab_edition.py --check` names the editions that are missing or out of date.
colab:
	$(PYTHON) scripts/colab_edition.py

# Slide decks from the stored outputs, one per section and language, with the PDF of each
# (scripts/slides.py: reveal.js and MathJax served from the deck folder; no internet needed).
# Live slides: JupyterLab's "Render as slideshow" (jupyterlab-rise) on any notebook.
slides:
	$(PYTHON) scripts/slides.py --pdf $(if $(filter command line,$(origin NOTEBOOKS)),$(NOTEBOOKS))

clean:
	rm -rf _build build artifacts
