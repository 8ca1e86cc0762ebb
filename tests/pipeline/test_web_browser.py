"""The reading room as a person meets it: the real server (``serve``, waitress) in its own
process, and real headless Chromium driving it (``--dump-dom`` for the page as served,
selenium with chromedriver where a person would type and click).

Screenshots of the search page, a record page opened at a snippet and an error page are
saved in the test's folder and copied to /tmp/reading-room-shots/ to be looked at.
``make test`` installs Chromium and chromedriver (Debian's chromium, chromium-driver).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.html
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from .test_web import build_reading_room_archive

SHOTS = Path("/tmp/reading-room-shots")
WINDOW = "1280,900"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={WINDOW}"]
# Generous: a navigation on a loaded CI machine. Nothing here measures speed.
WAIT = 60


def _chromium() -> tuple[str, str]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not Path(driver).exists():
        pytest.fail("headless Chromium is missing: `make test` installs it (apt-get install chromium chromium-driver, as root)")
    return chromium, driver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The real server over a real archive, in a process of its own; yields its base URL and ids."""
    root = tmp_path_factory.mktemp("browser-room")
    room = build_reading_room_archive(root)
    port = _free_port()
    log = open(root / "server.log", "w")
    code = "import sys; from oral_archive.pipeline.web import serve; serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]))"
    server = subprocess.Popen([sys.executable, "-c", code, room["path"], str(port)], stdout=subprocess.PIPE, stderr=log, text=True,
                              env={**os.environ, "ORAL_ARCHIVE_NLP": "off"})
    try:
        # serve() prints its address once the socket listens: from then on requests queue.
        banner = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in banner, (banner, (root / "server.log").read_text())
        yield {"base": f"http://127.0.0.1:{port}", "shots": root / "shots", **room}
    finally:
        server.terminate()
        server.wait(timeout=WAIT)
        log.close()


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def screenshot(driver, site, name: str) -> Path:
    """Save the visible window as ``name`` in the test folder and in /tmp/reading-room-shots/."""
    site["shots"].mkdir(exist_ok=True)
    path = site["shots"] / name
    assert driver.save_screenshot(str(path))
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / name)
    return path


def dump_dom(url: str) -> lxml.html.HtmlElement:
    """The DOM Chromium builds from a page, with no driver and no script involved."""
    chromium, _ = _chromium()
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, "--dump-dom", url], capture_output=True, text=True, timeout=WAIT * 2)
    assert result.returncode == 0, result.stderr[-2000:]
    return lxml.html.fromstring(result.stdout)


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def test_the_search_page_lists_facets_as_chromium_renders_it(site) -> None:
    page = dump_dom(f"{site['base']}/?q=brigade%20OR%20police")
    assert page.get_element_by_id("rr-q").get("value") == "brigade OR police"
    headings = [text_of(h) for h in page.cssselect(".facets h3")]
    assert {"Role", "Organization", "Place", "Speaker"} <= set(headings)
    assert all(a.get("href").startswith("?q=brigade+OR+police&") for a in page.cssselect(".facets a"))
    assert page.cssselect(".snippets a mark")


def test_searching_as_a_person_does(browser, site) -> None:
    browser.get(site["base"] + "/")
    box = browser.find_element(By.ID, "rr-q")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=rr-q]").text == "Search the interviews"
    box.send_keys("brigade OR police", Keys.ENTER)
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("q=brigade"))
    assert browser.find_element(By.ID, "rr-q").get_attribute("value") == "brigade OR police"
    facets = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".facets h3")]
    assert {"Role", "Organization", "Place", "Speaker"} <= set(facets)
    marks = browser.find_elements(By.CSS_SELECTOR, ".snippets mark")
    assert marks and {m.text.lower() for m in marks} <= {"brigade", "police"}
    screenshot(browser, site, "search.png")


def test_a_snippet_opens_the_record_scrolled_to_the_marked_passage(browser, site) -> None:
    browser.get(f"{site['base']}/?q={quote('pension')}")
    link = browser.find_element(By.CSS_SELECTOR, f".snippets a[href^='/records/{site['hale']}?']")
    segment = urlsplit(link.get_attribute("href")).fragment
    assert segment.startswith("u")
    link.click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains(f"#{segment}"))
    target = browser.find_element(By.CSS_SELECTOR, ":target")
    assert target.get_attribute("id") == segment
    assert [m.text for m in target.find_elements(By.TAG_NAME, "mark")] == ["pension"]
    assert target.find_element(By.CSS_SELECTOR, ".speaker").text == "Margaret Hale"
    assert target.find_element(By.CSS_SELECTOR, ".stamp").text == "0:07:21"
    top, bottom, height, scrolled = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight, window.scrollY];", target)
    assert scrolled > 0 and 0 <= top and bottom <= height  # opened scrolled to it, all of it in view
    notes = [n.text for n in browser.find_elements(By.CSS_SELECTOR, ".transcript .note")]
    assert "[laughs]" in notes and "[pause]" in notes
    screenshot(browser, site, "record-at-snippet.png")


def test_transcript_markup_never_runs(browser, site) -> None:
    browser.get(f"{site['base']}/records/{site['hale']}")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018  (an alert would mean the transcript's <script> ran)
    assert "<script>alert(" in browser.find_element(By.ID, "u2").text
    assert browser.execute_script("return document.scripts.length") == 0


def test_restricted_record_in_the_browser(browser, site) -> None:
    browser.get(f"{site['base']}/?q=sardines")
    title = browser.find_element(By.CSS_SELECTOR, f".hit h3 a[href='/records/{site['delgado']}']")
    assert title.text == "Oral History Interview with [restricted]"
    title.click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("/records/"))
    body = browser.find_element(By.TAG_NAME, "body").text.lower()
    assert "delgado" not in body and "rosa" not in body and "lakeside packing" not in body
    assert "restricted" in browser.find_element(By.CSS_SELECTOR, ".restricted-notice").text


def test_an_error_page_says_what_is_wrong_in_plain_words(browser, site) -> None:
    browser.get(f"{site['base']}/?q={quote('police AND (officer')}")
    message = browser.find_element(By.CSS_SELECTOR, ".error-box").text
    assert "This search cannot be run" in message and "never closed" in message
    assert browser.find_element(By.ID, "rr-q").get_attribute("value") == "police AND (officer"
    assert "Traceback" not in browser.page_source
    screenshot(browser, site, "error.png")
    browser.get(f"{site['base']}/records/no-such-record-12345678")
    assert "There is no record 'no-such-record-12345678' in this archive." in browser.find_element(By.TAG_NAME, "main").text
    page = dump_dom(f"{site['base']}/records/..%2F..%2Fetc%2Fpasswd")
    assert "There is no page at this address." in text_of(page.cssselect(".error-message")[0])
