"""The served site in headless Chromium: language links both ways, search in both languages,
figures loaded.  Screenshots go to artifacts/screenshots/ for a person to look at."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, ROOT

SHOTS = ARTIFACTS / "screenshots"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    for exe in (CHROMIUM, CHROMEDRIVER):
        assert Path(exe).is_file(), f"{exe} missing: `make install` (Debian chromium, chromium-driver)"
    profile = tempfile.mkdtemp(prefix="cnnbook-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,1600",
                "--lang=en-US"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, timeout=30, what=""):
    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message=what)


def _shot(driver, name):
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def test_root_page_leads_to_both_languages(browser, site_url):
    browser.get(site_url + "/")
    _shot(browser, "root")
    browser.find_element(By.ID, "lang-zh").click()
    _wait(browser, lambda d: d.current_url.endswith("/zh/index.html"), what="zh landing")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert "现代卷积神经网络" in browser.find_element(By.CSS_SELECTOR, "article h1").text
    _shot(browser, "zh-landing")


def test_language_link_both_ways(browser, site_url):
    browser.get(site_url + "/en/modern_cnn/alexnet.html")
    assert "AlexNet" in browser.find_element(By.CSS_SELECTOR, "article h1").text
    _shot(browser, "en-alexnet")
    link = browser.find_element(By.CSS_SELECTOR, "a.cnnbook-lang-link")
    assert link.text == "中文" and link.is_displayed()
    link.click()
    _wait(browser, lambda d: d.current_url.endswith("/zh/modern_cnn/alexnet.html"), what="to zh")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert "AlexNet" in browser.find_element(By.CSS_SELECTOR, "article h1").text
    # Chinese interface strings (Sphinx zh_CN translations) on the Chinese page
    assert "搜索" in browser.page_source
    _shot(browser, "zh-alexnet")
    link = browser.find_element(By.CSS_SELECTOR, "a.cnnbook-lang-link")
    assert link.text == "English"
    link.click()
    _wait(browser, lambda d: d.current_url.endswith("/en/modern_cnn/alexnet.html"), what="to en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


@pytest.mark.parametrize("lang, term", [("en", "AlexNet"), ("en", "dropout"), ("zh", "卷积")])
def test_search(browser, site_url, lang, term):
    # the search form of every page submits to search.html?q=...; use it like a reader does
    browser.get(f"{site_url}/{lang}/modern_cnn/alexnet.html")
    form = browser.find_element(By.CSS_SELECTOR, "form.bd-search")
    assert form.get_attribute("action").endswith(f"/{lang}/search.html")
    browser.execute_script(
        "const f = arguments[0]; f.querySelector('input[name=q]').value = arguments[1]; f.submit();",
        form, term)
    _wait(browser, lambda d: "search.html" in d.current_url, what="search page")
    results = _wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a"),
        what=f"search results for {term}")
    hrefs = [a.get_attribute("href") for a in results]
    assert any(h.split("?")[0].split("#")[0].endswith(f"/{lang}/modern_cnn/alexnet.html")
               for h in hrefs), hrefs
    _shot(browser, f"{lang}-search-{'juanji' if lang == 'zh' else term.lower()}")


def _stored_images(lang: str) -> int:
    nb = json.loads((ROOT / "chapters" / lang / "modern_cnn" / "alexnet.ipynb").read_text("utf-8"))
    return sum(1 for c in nb["cells"] for o in c.get("outputs", [])
               if any(k.startswith("image/") for k in o.get("data", {})))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_load(browser, site_url, lang):
    browser.get(f"{site_url}/{lang}/modern_cnn/alexnet.html")
    _wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
    images = browser.execute_script("""
        return Array.from(document.querySelectorAll('article img')).map(
            img => ({src: img.currentSrc || img.src, w: img.naturalWidth, done: img.complete}));""")
    local = [i for i in images if i["src"].startswith(site_url)]
    assert all(i["w"] > 0 for i in local), [i for i in local if i["w"] == 0]
    # the Colab badge: the copy served with the book, loaded
    assert not [i for i in images if "colab-badge.svg" in i["src"]], "the remote Colab badge"
    badge = [i for i in local if f"/_static/colab-badge-{lang}.svg" in i["src"]]
    assert len(badge) == 1 and badge[0]["w"] > 0, f"the Colab badge: {badge}"
    stored = _stored_images(lang)
    assert len(local) >= stored, f"{stored} figures stored in the notebook, {len(local)} on the page"
    assert stored > 0, f"chapters/{lang}/modern_cnn/alexnet.ipynb stores no figure: run `make outputs`"
    # scroll to the first figure for the screenshot
    browser.execute_script("document.querySelectorAll('article img')[arguments[0]].scrollIntoView()",
                           images.index(local[0]))
    _shot(browser, f"{lang}-alexnet-figure")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_math_is_typeset_offline(browser, site_url, lang):
    """MathJax ships with the book (sphinx-mathjax-offline): formulas render without a CDN."""
    browser.get(f"{site_url}/{lang}/modern_cnn/alexnet.html")
    _wait(browser, lambda d: d.execute_script("return document.querySelectorAll('mjx-container').length") > 0,
          what="MathJax typesetting")
    leftover = browser.execute_script(
        "return Array.from(document.querySelectorAll('article p')).filter(p => p.innerText.includes('\\\\times')).length")
    assert leftover == 0, "raw TeX left in the page"
    browser.execute_script("document.querySelector('mjx-container').scrollIntoView({block: 'center'})")
    _shot(browser, f"{lang}-alexnet-math")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("doc", ["modern_cnn/googlenet", "resnet/blocks_and_family"])
def test_tables_fit_the_page_and_are_screenshotted(browser, site_url, lang, doc):
    """The tables a page shows are real tables that fit the text column (no sideways scrolling);
    each is saved as artifacts/screenshots/table-<lang>-<page>-<n>.png for a person to look at."""
    browser.get(f"{site_url}/{lang}/{doc}.html")
    _wait(browser, lambda d: d.execute_script("return document.readyState") == "complete")
    tables = browser.find_elements(By.CSS_SELECTOR, "div.cell_output table")
    assert len(tables) >= 2, f"{lang}/{doc}: {len(tables)} tables in the cell outputs"
    for number, table in enumerate(tables, start=1):
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", table)
        fits = browser.execute_script("""
            const table = arguments[0], column = table.closest('article');
            return table.getBoundingClientRect().right <= column.getBoundingClientRect().right + 1;""", table)
        table.screenshot(str(SHOTS / f"table-{lang}-{doc.split('/')[1]}-{number}.png"))
        assert fits, f"{lang}/{doc}: table {number} is wider than the text column"
