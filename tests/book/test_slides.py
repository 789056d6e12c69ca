"""The slide decks (scripts/slides.py, `make slides`) and the live slideshow (jupyterlab-rise).

Decks of two sections in both languages are built into a temporary folder and opened from disk in
headless Chromium with the network cut (every host name resolves to nothing): no request may
fail, the number of slides is a lecture's, no slide's content is taller than the slide, every
figure loads, the math is typeset, and the printed PDF of the Chinese deck draws its text with a
CJK font.  Then a notebook is opened as a slideshow in JupyterLab (RISE): the test moves through
its slides and runs a code cell on one of them.  Screenshots: artifacts/screenshots/slides-*.png.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, ROOT

import slides

SHOTS = ARTIFACTS / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SECTIONS = ["modern_cnn/vgg", "resnet/summary"]
LANGS = ["en", "zh"]


@pytest.fixture(scope="module")
def decks():
    out = Path(tempfile.mkdtemp(prefix="cnnbook-slides-"))
    slides.copy_assets(out)
    built: dict[tuple[str, str], Path] = {}

    def deck(lang: str, section: str) -> Path:
        if (lang, section) not in built:
            built[(lang, section)] = slides.build(ROOT / "chapters" / lang / f"{section}.ipynb", out)
        return built[(lang, section)]

    yield deck
    shutil.rmtree(out, ignore_errors=True)


def _browser(offline: bool):
    profile = tempfile.mkdtemp(prefix="cnnbook-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,720",
                 "--allow-file-access-from-files"]
    if offline:  # the network cut: no host name resolves
        arguments.append("--host-resolver-rules=MAP * ~NOTFOUND")
    for argument in arguments:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(90)
    return driver, profile


@pytest.fixture(scope="module")
def offline_browser():
    driver, profile = _browser(offline=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("section", SECTIONS)
def test_deck_works_offline_and_fits_the_screen(decks, offline_browser, lang, section):
    driver = offline_browser
    deck = decks(lang, section)
    driver.get_log("browser")  # forget earlier pages' messages
    driver.get(deck.as_uri())
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return typeof Reveal !== 'undefined' && Reveal.isReady()"),
        message=f"{lang}/{section}: reveal.js did not start (is it served beside the deck?)")
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"),
        message=f"{lang}/{section}: MathJax did not load")
    driver.execute_script("return MathJax.startup.promise")
    time.sleep(1)
    total = driver.execute_script("return Reveal.getTotalSlides()")
    low, high = slides.SLIDES_RANGE
    assert low <= total <= high, f"{lang}/{section}: {total} slides"
    height = driver.execute_script("return Reveal.getConfig().height")
    too_tall, broken = [], []
    for h, vertical in enumerate(driver.execute_script(
            "return Reveal.getHorizontalSlides().map(s => Math.max(1, s.querySelectorAll('section').length))")):
        for v in range(vertical):
            driver.execute_script("Reveal.slide(arguments[0], arguments[1])", h, v)
            slide = driver.execute_script(
                "const s = Reveal.getCurrentSlide();"
                "return {height: s.scrollHeight, text: s.innerText.slice(0, 60),"
                "        images: Array.from(s.querySelectorAll('img')).map(i => i.complete && i.naturalWidth > 0)};")
            if slide["height"] > height:
                too_tall.append((h, v, slide["height"], slide["text"]))
            if not all(slide["images"]):
                broken.append((h, v, slide["text"]))
    assert not too_tall, f"{lang}/{section}: slides taller than {height}px: {too_tall}"
    assert not broken, f"{lang}/{section}: figures that did not load: {broken}"
    if lang == "zh":  # the Chinese title is drawn with a font that has its glyphs (no empty boxes)
        driver.execute_script("Reveal.slide(0, 0)")
        driver.execute_cdp_cmd("DOM.enable", {})
        driver.execute_cdp_cmd("CSS.enable", {})
        root = driver.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
        title = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": ".reveal h1"})["nodeId"]
        fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": title})["fonts"]
        assert any("CJK" in font["familyName"] for font in fonts), f"{lang}/{section}: title drawn with {fonts}"
    typeset = driver.execute_script("return document.querySelectorAll('mjx-container').length")
    assert typeset > 0 or section == "resnet/summary", f"{lang}/{section}: no math typeset"
    failed = [entry["message"] for entry in driver.get_log("browser")
              if entry["level"] == "SEVERE" and "Failed to load" in entry["message"]]
    assert not failed, f"{lang}/{section}: requests that failed with the network cut: {failed}"
    # a title slide and a figure slide, for a person to look at
    driver.execute_script("Reveal.slide(0, 0)")
    time.sleep(0.5)
    driver.save_screenshot(str(SHOTS / f"slides-{lang}-{Path(section).name}-title.png"))
    figure = driver.execute_script(
        "const all = Reveal.getSlides(); const i = all.findIndex(s => s.querySelector('img'));"
        "return i < 0 ? null : Reveal.getIndices(all[i]);")
    if figure:
        driver.execute_script("Reveal.slide(arguments[0], arguments[1])", figure["h"], figure["v"] or 0)
        time.sleep(0.5)
        driver.save_screenshot(str(SHOTS / f"slides-{lang}-{Path(section).name}-figure.png"))


def test_chinese_deck_prints_to_pdf(decks):
    pdf = slides.print_pdf(decks("zh", "modern_cnn/vgg"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "使用块的网络" in text and "学习目标" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(next(l for l in pages.splitlines() if l.startswith("Pages:")).split()[1]) >= slides.SLIDES_RANGE[0]


def test_live_slideshow_in_jupyterlab_runs_a_cell():
    """RISE: Run All in JupyterLab, then the same notebook as a slideshow; move through the
    slides and run the code cell of a figure slide."""
    from test_lab import jupyterlab

    with jupyterlab("--LabApp.expose_app_in_browser=True") as (url, home):
        _run_a_cell_in_the_slideshow(url, home)


def _run_a_cell_in_the_slideshow(url: str, home: Path) -> None:
    import json

    driver, profile = _browser(offline=False)
    path = "chapters/en/resnet/summary.ipynb"
    try:
        driver.get(f"{url}/lab/tree/{path}?reset")
        WebDriverWait(driver, 90).until(lambda d: d.execute_script(
            "return !!(window.jupyterapp && document.querySelector('.jp-NotebookPanel .jp-CodeCell'))"))
        time.sleep(3)
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        WebDriverWait(driver, 180).until(lambda d: d.execute_script(
            "const nb = window.jupyterapp.shell.currentWidget.content;"
            "const cells = Array.from({length: nb.model.cells.length}, (_, i) => nb.model.cells.get(i))"
            "  .filter(c => c.type === 'code');"
            "return cells.length > 0 && cells.every(c => c.executionCount !== null);"),
            message="Run All did not finish")
        driver.get(f"{url}/rise/{path}")
        WebDriverWait(driver, 90).until(lambda d: d.execute_script(
            "return document.querySelectorAll('.reveal .slides section').length > 3"),
            message="the slideshow did not open")
        time.sleep(3)
        notebook = json.loads((home / path).read_text(encoding="utf-8"))
        expected = sum(1 for kind in slides.stored_types(notebook) if kind in ("slide", "subslide"))
        seen, ran = [], None
        present = ("const s = document.querySelector('.reveal .slides section.present:not(.stack)') "
                   "|| document.querySelector('.reveal .slides section.present');")
        for _ in range(expected + 2):
            seen.append(driver.execute_script(present + "return s ? s.innerText.slice(0, 40) : null;"))
            cell = driver.execute_script(
                present + "const c = s && Array.from(s.querySelectorAll('.jp-CodeCell'))"
                "  .find(c => c.querySelector('.jp-OutputArea-output img')); return c || null;")
            if cell is not None and ran is None:  # a figure slide: run its code cell there
                before = driver.execute_script("return arguments[0].querySelector('.jp-InputPrompt').textContent", cell)
                editor = cell.find_element(By.CSS_SELECTOR, ".cm-content")
                ActionChains(driver).move_to_element(editor).click().perform()  # the cell, in edit mode
                time.sleep(0.5)
                # Ctrl+Enter: run the cell and stay on its slide
                ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
                WebDriverWait(driver, 60).until(lambda d: d.execute_script(
                    "return arguments[0].querySelector('.jp-InputPrompt').textContent.trim()", cell)
                    not in (before.strip(), "[*]:"), message=f"the cell did not run in the slideshow (prompt {before})")
                assert driver.execute_script("return !!arguments[0].querySelector('.jp-OutputArea-output img')", cell)
                ran = driver.execute_script("return arguments[0].querySelector('.jp-InputPrompt').textContent", cell)
                SHOTS.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(SHOTS / "slides-live-en-summary.png"))
                driver.find_element(By.TAG_NAME, "body").click()
            driver.find_element(By.TAG_NAME, "body").send_keys(Keys.SPACE)  # next slide, sub-slides included
            time.sleep(0.4)
        distinct = len(set(filter(None, seen)))
        assert distinct >= min(expected, 5), f"moved through {distinct} slides: {seen}"
        assert ran is not None, f"no figure slide in the slideshow: {seen}"
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
