"""Fixtures of the book tests: one HTML build and one PDF build per test session.

The builds run scripts/build_book.py (the same command as `make html` / `make pdf`) into the
repository's _build/ and artifacts/; a failed build fails every test that needs it.
"""
from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

import build_book  # noqa: E402

BUILD = ROOT / "_build"
ARTIFACTS = ROOT / "artifacts"
LANGS = build_book.LANGUAGES


def _run_build(target: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py"), target],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"`scripts/build_book.py {target}` failed (exit {proc.returncode}):\n"
                    f"{proc.stdout[-8000:]}\n{proc.stderr[-4000:]}", pytrace=False)


@functools.cache
def _html() -> Path:
    _run_build("html")
    return BUILD / "html"


@functools.cache
def _pdf() -> Path:
    _run_build("pdf")
    return ARTIFACTS / "pdf"


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built site: _build/html/{index.html,en/,zh/}."""
    return _html()


@pytest.fixture(scope="session")
def pdf_dir() -> Path:
    """The built PDFs: artifacts/pdf/{en,zh}/*.pdf (+ their LaTeX logs)."""
    return _pdf()


@pytest.fixture(scope="session")
def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sections() -> list[str]:
    return build_book.toc_sections()


@pytest.fixture(scope="session")
def site_url(html_dir):
    """The built site served by http.server on 127.0.0.1 (a free port), in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
