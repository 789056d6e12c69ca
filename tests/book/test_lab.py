"""The notebooks as students open them: JupyterLab (`make lab`) in headless Chromium.

A JupyterLab server runs on a copy of chapters/ (nothing in the repository can change), with
the extensions `make install` installs (jupyterlab-myst renders the book's MyST).  For one page
per language the test checks that the markdown reads like the book (no raw directive, role or
option text; exercises, hints and folded solutions rendered; the cited works listed) and that
opening the notebook does not mark it modified.  Screenshots go to artifacts/screenshots/lab-*.png.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, ROOT

SHOTS = ARTIFACTS / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PAGE = "modern_cnn/vgg.ipynb"  # exercises with hints and solutions, citations, figures, widgets
# MyST source that must not be visible once rendered
RAW = re.compile(r"\{(?:exercise|solution|hint|cite(?::[pt])?|numref|ref|doc|eq|bibliography|glue)\}"
                 r"|:::|:label:|:class:|:filter:")
# what JupyterLab's MyST renderer calls the pieces of an exercise (it does not translate them)
EXERCISE, SOLUTION = "Exercise", "Solution to Exercise"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(*arguments: str):
    """A JupyterLab server on a copy of chapters/ (nothing in the repository can change), with its
    own settings and workspaces: all cells rendered at once (no windowing, so the whole page can
    be read) and no news prompt.  Yields its URL and its root folder."""
    listed = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                            capture_output=True, text=True)
    assert "jupyterlab-myst" in listed.stdout + listed.stderr, \
        "jupyterlab-myst is not installed: run `make install`"
    home = Path(tempfile.mkdtemp(prefix="cnnbook-lab-"))
    shutil.copytree(ROOT / "chapters", home / "chapters")
    settings = home / "settings"
    for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                           "apputils-extension/notification": {"fetchNews": "false",
                                                               "checkForUpdates": False}}.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={home}", *arguments],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (home / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        yield url, home
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def lab():
    with jupyterlab() as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="cnnbook-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,1400"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(90)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _open(driver, url: str, path: str) -> None:
    driver.get(f"{url}/lab/tree/{path}?reset")  # a fresh workspace: only this notebook open
    name = Path(path).name
    # the notebook is open and its markdown rendered by the MyST renderer
    WebDriverWait(driver, 90).until(lambda d: len(_rendered_markdown(d)) > 5,
        message=f"{name} did not open in JupyterLab")
    time.sleep(5)  # JupyterLab normalises a notebook's model shortly after opening it


def _rendered_markdown(driver) -> list[str]:
    return driver.execute_script(
        "const p = Array.from(document.querySelectorAll('.jp-NotebookPanel'))"
        "  .find(p => !p.classList.contains('lm-mod-hidden'));"
        "return p ? Array.from(p.querySelectorAll('.jp-MarkdownCell .jp-InputArea > .myst'))"
        "  .map(e => e.innerText) : [];")


def _tab(driver, name: str) -> str:
    classes = driver.execute_script(
        "return Array.from(document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab'))"
        "  .filter(t => t.innerText.trim() === arguments[0]).map(t => t.className);", name)
    assert len(classes) == 1, f"expected one tab named {name}, found {classes}"
    return classes[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notebook_reads_like_the_book_and_opening_changes_nothing(lab, browser, lang):
    url, home = lab
    path = f"chapters/{lang}/{PAGE}"
    stored = (home / path).read_bytes()
    _open(browser, url, path)
    name = Path(path).name
    assert "jp-mod-dirty" not in _tab(browser, name), (
        f"{path}: JupyterLab marks the notebook modified as soon as it opens (see what it "
        "normalises: kernelspec, widget state, metadata)")
    notebook = json.loads(stored)
    markdown_cells = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    try:  # a loaded machine renders the last cells later: wait for them (the assertion names the counts)
        WebDriverWait(browser, 90).until(lambda d: len(_rendered_markdown(d)) >= len(markdown_cells))
    except TimeoutException:
        pass
    texts = _rendered_markdown(browser)
    assert len(texts) == len(markdown_cells), (len(texts), len(markdown_cells))
    raw = [(i, m.group(0), t[max(0, m.start() - 60):m.end() + 60])
           for i, t in enumerate(texts) for m in [RAW.search(t)] if m]
    assert not raw, f"{path}: MyST source visible in the rendered notebook: {raw[:5]}"
    whole = "\n".join(texts)
    exercises = sum(":::{exercise}" in "".join(c["source"]) or "::::{exercise}" in "".join(c["source"])
                    or ":::::{exercise}" in "".join(c["source"]) for c in markdown_cells)
    assert exercises >= 3
    flat = re.sub(r"\s+", " ", whole)
    for number in range(1, exercises + 1):
        assert f"{EXERCISE} {number}" in flat and f"{SOLUTION} {number}" in flat, (
            number, re.findall(r".{30}Exercise.{30}", flat)[:6])
    # solutions folded: their code is not shown until the reader opens them
    solution_code = "def large_kernel_features"
    assert solution_code in "".join("".join(c["source"]) for c in markdown_cells)
    assert solution_code not in whole, "a solution is shown unfolded"
    # the cited works, listed by key in the cell JupyterLab shows (the book hides it)
    lab_cell = next(c for c in notebook["cells"] if c.get("id") == "lab-references")
    keys = re.findall(r"^- `([^`]+)`", "".join(lab_cell["source"]), re.M)
    cited = set(re.findall(r"\{cite:[pt]\}`([^`]+)`", "".join("".join(c["source"]) for c in markdown_cells)))
    assert set(keys) == {k.strip() for group in cited for k in group.split(",")}
    assert all(key in whole for key in keys)
    # screenshots: the top of the page, and the exercises
    browser.save_screenshot(str(SHOTS / f"lab-{lang}-vgg.png"))
    browser.execute_script(
        "const h = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-MarkdownCell h2')).filter(e => /Exercises|练习/.test(e.innerText)).pop();"
        "h.scrollIntoView();")
    time.sleep(1)
    browser.save_screenshot(str(SHOTS / f"lab-{lang}-vgg-exercises.png"))
    # nothing was written to the notebook by opening and reading it
    assert (home / path).read_bytes() == stored
