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

NOTEBOOKS := $(shell find chapters -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

# Debian packages: CJK fonts for plots, LaTeX (xelatex + xeCJK) for the PDF, poppler for PDF
# checks, Chromium for the browser test.
APT_PACKAGES := fonts-noto-cjk fonts-freefont-otf poppler-utils chromium chromium-driver \
	latexmk xindy texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-latex-recommended \
	texlive-fonts-recommended texlive-fonts-extra texlive-plain-generic

.PHONY: help install install-python test test-unit test-notebooks test-book test-gpu html pdf lab bench outputs clean

help:
	@echo "make install         Debian packages + Python packages + the cnnbook helper package"
	@echo "make html            build the HTML book (English and Chinese) from the stored outputs"
	@echo "make pdf             build the PDF book and per-section handouts (English and Chinese)"
	@echo "  ... SOLUTIONS=hide   (html, pdf) without the exercises' solutions, for students"
	@echo "make lab             open JupyterLab on the book"
	@echo "make test            every test: package, notebooks (re-executed), book builds"
	@echo "make test-gpu        re-execute every notebook on a GPU (errors fail; outputs not compared)"
	@echo "make bench           speed benchmarks (ratios measured in one run)"
	@echo "make outputs         re-execute the notebooks and store their outputs (fast profile on CPU)"

install:
	@if command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(APT_PACKAGES); \
	else echo "apt-get not found: install the equivalents of $(APT_PACKAGES) yourself"; fi
	$(MAKE) install-python

install-python:
	$(PYTHON) -m pip install -r requirements.txt
	$(PYTHON) -m pip install -e code

test: test-unit test-notebooks test-book

test-unit:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests --ignore=tests/book

test-notebooks:
	CNNBOOK_PROFILE=fast $(PYTHON) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600 $(NOTEBOOKS)

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

outputs:
	CNNBOOK_PROFILE=fast $(PYTHON) scripts/run_notebooks.py --store $(NOTEBOOKS)

clean:
	rm -rf _build build artifacts
