"""The reading room as a person meets it: the real server (``serve``, waitress) in its own
process, and real headless Chromium driving it (``--dump-dom`` for the page as served,
selenium with chromedriver where a person would type and click).

Screenshots of the search page, a record page opened at a snippet and an error page, of each
step of the whole flow (``flow-1-search``, ``flow-2-faceted``, ``flow-3-record-at-utterance``)
and of keyboard focus (``focus-*``) are saved in the test's folder and copied to
/tmp/reading-room-shots/ to be looked at. The accessibility checks run in the browser: labels,
headings, alt text, lang, and Tab order with a visible focus ring on each stop.
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
    code = "import sys; from oral_archive.pipeline.web import serve; serve(sys.argv[1], '127.0.0.1', int(sys.argv[2]))"
    with open(root / "server.log", "w") as log:
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
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, "--dump-dom", url], check=False, capture_output=True, text=True, timeout=WAIT * 2)
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


# -- the whole flow, as a person does it ---------------------------------------------------
def flow_shot(driver, site, name: str) -> Path:
    """A screenshot of one step of the flow: ``flow-<name>.png`` in the test folder and in /tmp/reading-room-shots/."""
    return screenshot(driver, site, f"flow-{name}.png")


def test_query_facet_hit_and_the_marked_utterance_in_one_visit(browser, site) -> None:
    # 1. The search page, as typed into: the query in the box, Enter.
    browser.get(site["base"] + "/")
    box = browser.find_element(By.ID, "rr-q")
    box.click()
    box.send_keys("police", Keys.ENTER)
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("q=police"))
    WebDriverWait(browser, WAIT).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".facets")))
    total = int(browser.find_element(By.ID, "rr-results-heading").text.split()[0])
    assert total > 1
    flow_shot(browser, site, "1-search")

    # 2. A facet: the Organization section's "Harbor City Fire Department", clicked.
    sections = {s.find_element(By.TAG_NAME, "h3").text: s for s in browser.find_elements(By.CSS_SELECTOR, ".facets .facet")}
    facet = sections["Organization"].find_element(By.LINK_TEXT, "Harbor City Fire Department")
    facet.click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("organization=Harbor+City+Fire+Department"))
    chosen = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".chosen a")]
    assert chosen == ["Organization: Harbor City Fire Department ×"]
    assert browser.find_element(By.ID, "rr-q").get_attribute("value") == "police"
    narrowed = int(browser.find_element(By.ID, "rr-results-heading").text.split()[0])
    assert 0 < narrowed < total
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".hit h3 a")]
    assert "Oral History Interview with Margaret Hale" in titles
    flow_shot(browser, site, "2-faceted")

    # 3. A hit's snippet, clicked: the record opens at the utterance, scrolled to it, the word marked.
    snippet = browser.find_element(By.CSS_SELECTOR, f".snippets a[href^='/records/{site['hale']}?']")
    assert [m.text.lower() for m in snippet.find_elements(By.TAG_NAME, "mark")] == ["police"]
    segment = urlsplit(snippet.get_attribute("href")).fragment
    snippet.click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains(f"/records/{site['hale']}"))
    assert urlsplit(browser.current_url).fragment == segment
    target = browser.find_element(By.CSS_SELECTOR, ":target")
    assert target.get_attribute("id") == segment and "seg-u" in target.get_attribute("class").split()
    assert target.find_element(By.CSS_SELECTOR, ".speaker").text == "Margaret Hale"
    assert "My father was a police officer" in target.text
    assert [m.text.lower() for m in target.find_elements(By.TAG_NAME, "mark")] == ["police"]
    top, bottom, height, scrolled = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight, window.scrollY];", target)
    assert scrolled > 0 and 0 <= top and bottom <= height
    # Outlined and tinted, so the eye finds it: the :target rule, not the look of every other turn.
    outline, background = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle + ' ' + s.outlineWidth, s.backgroundColor];", target)
    other = browser.find_element(By.CSS_SELECTOR, f".seg-u:not([id='{segment}'])")
    assert outline == "solid 3px" and background != "rgba(0, 0, 0, 0)"
    assert browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", other) == "none"
    assert browser.find_element(By.CSS_SELECTOR, ".marking").text.startswith("Marked: police")
    flow_shot(browser, site, "3-record-at-utterance")


# -- accessibility: labels, headings, keyboard focus ----------------------------------------
# What the page says about itself, read in the browser after layout (so "rendered" means rendered).
AUDIT = """
const rendered = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const named = el => (el.getAttribute('aria-label') || '').trim() ||
  (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
const describe = el => el.outerHTML.slice(0, 160);
const controls = [...document.querySelectorAll('input, select, textarea, button')].filter(el => el.type !== 'hidden');
const unlabelled = controls.filter(el => {
  if (named(el)) return false;
  if (el.tagName === 'BUTTON') return !el.textContent.trim();
  return !(el.id && [...document.querySelectorAll('label[for]')].some(l => l.htmlFor === el.id && l.textContent.trim()));
}).map(describe);
const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]));
const skipped = headings.flatMap((level, i) => i && level > headings[i - 1] + 1 ? [[headings[i - 1], level]] : []);
const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
return {
  lang: document.documentElement.lang,
  title: document.title.trim(),
  h1: document.querySelectorAll('h1').length,
  first_heading: headings[0],
  skipped: skipped,
  unlabelled: unlabelled,
  images_without_alt: [...document.querySelectorAll('img:not([alt]), input[type=image]:not([alt]), area:not([alt])')].map(describe),
  nameless_links: [...document.querySelectorAll('a[href]')].filter(a => !a.textContent.trim() && !named(a)).map(describe),
  duplicate_ids: ids.filter((id, i) => ids.indexOf(id) !== i),
  main: document.querySelectorAll('main').length,
};
"""

# What keyboard Tab should visit, in document order, and how each looks when not focused.
TABBABLE = """
const rendered = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
  .filter(el => el.tabIndex >= 0 && !el.disabled && el.type !== 'hidden' && rendered(el)
    && !(el.closest('details:not([open])') && el.tagName !== 'SUMMARY'));
window.__unfocused = new Map(all.map(el => [el, FOCUS_STYLE(el)]));
window.__tabbable = all;
return all.length;
"""
FOCUS_STYLE = ("const FOCUS_STYLE = el => { const s = getComputedStyle(el); "
               "return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.borderColor].join('|'); };")
FOCUSED = FOCUS_STYLE + """
const el = document.activeElement;
const r = el.getBoundingClientRect();
const s = getComputedStyle(el);
return {
  index: window.__tabbable.indexOf(el),
  what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || el.value || '').trim().slice(0, 40),
  tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
  changed: FOCUS_STYLE(el) !== window.__unfocused.get(el),
  outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
  visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
};
"""


def audit(driver) -> dict:
    return driver.execute_script(AUDIT)


def assert_accessible_structure(driver) -> None:
    found = audit(driver)
    assert found["lang"] == "en" and found["title"] and found["main"] == 1, found
    assert found["h1"] == 1 and found["first_heading"] == 1, found
    assert not found["skipped"], f"heading levels skipped: {found['skipped']}"
    assert not found["unlabelled"], f"form controls without a label: {found['unlabelled']}"
    assert not found["images_without_alt"], found["images_without_alt"]
    assert not found["nameless_links"], found["nameless_links"]
    assert not found["duplicate_ids"], found["duplicate_ids"]


def press(driver, *keys: str) -> None:
    for key in keys:
        webdriver.ActionChains(driver).send_keys(key).perform()


def tab_through(driver, count: int) -> list[dict]:
    """Press Tab ``count`` times from the top of a freshly loaded page; what had focus after each press."""
    driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();")
    tabbable = driver.execute_script(FOCUS_STYLE + TABBABLE)
    steps = []
    for _ in range(min(count, tabbable)):
        webdriver.ActionChains(driver).send_keys(Keys.TAB).perform()
        steps.append(driver.execute_script(FOCUSED))
    return steps


def assert_focus_follows_the_page_and_shows(steps: list[dict]) -> None:
    assert [s["index"] for s in steps] == list(range(len(steps))), [s["what"] for s in steps]  # document order, nothing skipped
    for step in steps:
        assert step["changed"] and step["outline"], f"no visible focus style on {step['what']}"
        assert step["visible"], f"focused but out of sight: {step['what']}"


def test_the_search_page_is_labelled_headed_and_keyboard_usable(browser, site) -> None:
    browser.get(f"{site['base']}/?q=police")
    assert_accessible_structure(browser)
    browser.find_element(By.CSS_SELECTOR, ".more-options summary").click()  # the hidden options must be labelled too
    assert_accessible_structure(browser)
    browser.get(f"{site['base']}/?q=police")
    steps = tab_through(browser, 25)
    assert_focus_follows_the_page_and_shows(steps)
    assert steps[0]["what"].startswith("a Skip to"), steps[0]
    box = next(i for i, s in enumerate(steps) if s["id"] == "rr-q")
    assert steps[box + 1]["tag"] == "button" and steps[box + 1]["type"] == "submit"
    assert [s["tag"] for s in steps[box + 2:]][:1] == ["summary"]
    assert any(s["what"].startswith("a ") and "detective" in s["what"] for s in steps[box:]), "the facet links are reached"
    # The skip links come first and show when focused; Enter on one moves focus past what it skips.
    assert [s["what"] for s in steps[:2]] == ["a Skip to content", "a Skip to the results"]
    browser.get(f"{site['base']}/?q=police")
    tab_through(browser, 1)
    screenshot(browser, site, "focus-skip-link.png")
    press(browser, Keys.ENTER, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "rr-q"
    press(browser, Keys.TAB)
    screenshot(browser, site, "focus-search-button.png")
    browser.get(f"{site['base']}/?q=police")
    tab_through(browser, 2)
    press(browser, Keys.ENTER, Keys.TAB)  # "Skip to the results": past the form and the facets, to the first hit
    first_hit = browser.find_element(By.CSS_SELECTOR, ".hit h3 a")
    assert browser.switch_to.active_element == first_hit
    assert browser.execute_script("const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight", first_hit)


def test_a_record_page_is_labelled_headed_and_keyboard_usable(browser, site) -> None:
    browser.get(f"{site['base']}/records/{site['hale']}?mark=police#u4")
    assert_accessible_structure(browser)
    for details in browser.find_elements(By.CSS_SELECTOR, "details.evidence")[:3]:
        browser.execute_script("arguments[0].open = true", details)
    assert_accessible_structure(browser)
    browser.get(f"{site['base']}/records/{site['hale']}")
    steps = tab_through(browser, 30)
    assert_focus_follows_the_page_and_shows(steps)
    whats = [s["what"] for s in steps]
    assert whats[:2] == ["a Skip to content", "a Skip to the transcript"]
    assert any(w.startswith("a ← Search") for w in whats)
    assert any(s["tag"] == "a" and s["what"].endswith(" u1") for s in steps), whats  # the utterances' own links
    screenshot(browser, site, "focus-record.png")
    browser.get(f"{site['base']}/records/{site['hale']}")
    tab_through(browser, 2)
    press(browser, Keys.ENTER, Keys.TAB)  # "Skip to the transcript": past the summary, to the first passage's link
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "seg-link" and browser.execute_script("return !!arguments[0].closest('#rr-transcript')", focused)
    # The older version of the record has the same structure, with its "see the latest" link.
    browser.get(f"{site['base']}/records/{site['hale']}?version=1")
    assert_accessible_structure(browser)


def test_error_pages_are_labelled_headed_and_keyboard_usable(browser, site) -> None:
    for url in (f"{site['base']}/?q={quote('police AND (officer')}", f"{site['base']}/records/no-such-record-12345678",
                f"{site['base']}/no/such/page"):
        browser.get(url)
        assert_accessible_structure(browser)
        steps = tab_through(browser, 12)
        assert_focus_follows_the_page_and_shows(steps)
        assert steps[0]["what"].startswith("a Skip to")
    browser.get(f"{site['base']}/records/no-such-record-12345678")
    assert browser.find_element(By.CSS_SELECTOR, "main h1").text
    assert browser.find_element(By.CSS_SELECTOR, "[role=alert]").text.startswith("There is no record")


def test_a_withdrawn_record_is_gone_in_the_browser_and_back_after_restore(browser, site) -> None:
    """Withdraw the seed record (the server, a process of its own, reads the archive's
    curation log on each request): its page says so with the reason, and the search no
    longer lists it; restored, it is back. Last in this module: it changes the archive."""
    from oral_archive.archive import Archive

    archive = Archive(site["path"])
    record_url = f"{site['base']}/records/{site['seed']}"
    archive.withdraw(site["seed"], reason="the narrator asked for it", by="browser test")
    try:
        browser.get(record_url)
        main = browser.find_element(By.TAG_NAME, "main").text
        assert "withdrawn" in main and "the narrator asked for it" in main and "quota" not in browser.page_source
        assert browser.find_element(By.CSS_SELECTOR, "main h1").text
        assert_accessible_structure(browser)
        screenshot(browser, site, "withdrawn.png")
        browser.get(f"{site['base']}/?q=quota")
        assert site["seed"] not in browser.page_source
    finally:
        archive.restore(site["seed"], by="browser test")
    browser.get(record_url)
    assert "quota" in browser.page_source, browser.find_element(By.TAG_NAME, "main").text[:500]
