"""Stage ``clean``: take page-break artifacts out of the text and rejoin what they split.

A scraped or printed page leaves lines that are not part of the interview: the site's
URL, "Page 3 of 12", a bare page number, a form feed, a navigation bar, a running
header or footer repeated on every page, and the chrome of a web page or document viewer
("Skip to main content", "Share this:", "You are on page 1 of 4", "Words: 955",
"Title (Dublin Core)", "Home | About | Contact"). Such a line is removed and recorded as an
``Artifact``; where it stood between two halves of one sentence (the line before does
not end a sentence and the line after starts in lower case) the halves are rejoined into
one line, with the break position kept for a TEI ``<pb/>``. A word hyphenated at the end
of the line before is joined again only when the joined form is a word (``dehyphenate``).
An excerpt site's "…show more content…" glued to the end of a content line is cut off there,
recorded the same way, with a break at the cut.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Callable, Iterable

from .decode import FORM_FEED_LINE
from .document import Artifact, CleanedText, DecodedText, Decision, Line

# A URL alone, or with the page number a document viewer prints beside it ("2 http://...").
URL_LINE = re.compile(r"^(?:\d{1,4}\s+)?(?:https?://|www\.)[^\s<>\"]+(?:\s+\d{1,4}(?:\s*/\s*\d{1,4})?)?$", re.IGNORECASE)
# "Page 3 of 12", "page 3", "p. 3", "3 of 12", "[3]", "- 3 -", "3/12", or a bare number.
# A bare number has at most three digits so that a year standing alone stays text.
PAGE_NUMBER_LINE = re.compile(
    r"^(?:(?:page|pg\.?|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s+of\s+\d{1,4}|\[\d{1,4}\]|-\s*\d{1,4}\s*-"
    r"|\d{1,3}|\d{1,4}\s*/\s*\d{1,4})$",
    re.IGNORECASE,
)
# "[Home | About | Contact]": a bracketed run of links separated by bars.
NAVIGATION_LINE = re.compile(r"^\[[^\]]*\|.*$")
SENTENCE_END = re.compile(r"[.!?:;\"”’)\]…]$")
# Kinds that mark a page boundary, next to which a repeated line is a running header/footer.
PAGE_KINDS = {"page-number", "form-feed"}
MAX_RUNNING_HEADER_WORDS = 12
# A page cuts a sentence inside running prose: the line above a mid-sentence page header is
# a full line of text, not one of the short lines of a title block.
MIN_SPLIT_LINE_WORDS = 8
# A line opening with "Label:" is a speaker turn or a field, never page furniture.
_LABELLED = re.compile(r"^\S[^:]{0,40}:(?:\s|$)")
# End-of-line hyphenation: a word broken as "impor-" before a break and "tant" after it.
HYPHENATED_END = re.compile(r"(?<![\w-])(?P<left>[^\W\d_]+)-$")
LOWER_START = re.compile(r"^(?P<right>[^\W\d_]+)")
# wordfreq's Zipf scale: 2.0 is about once per 100 million words; typos score lower.
_MIN_ZIPF = 2.0


# -- boilerplate: the chrome of a web page or a document viewer --------------------------------
# A line of chrome is short, so the rules below look only at lines of at most
# BOILERPLATE_MAX_CHARS characters (and then at most BOILERPLATE_MAX_WORDS words). A line opening
# in lower case is never chrome: it goes on a hard-wrapped sentence ("print the report ...").
BOILERPLATE_MAX_CHARS = 100
BOILERPLATE_MAX_WORDS = 12
# Bullets, arrows, separators and trailing dots/colons around a chrome label: "• Print",
# "Next »", "Share this:", "Loading...", "↑ Back to top". Brackets are not stripped.
_EDGE_MARKS = " •·*‣◦▪–—-=>»«›‹|:.…↑^"
# Whole lines (lower case, edge marks stripped) that are interface labels on any site: links
# to skip navigation, menus, account and sharing buttons, post navigation, viewer controls.
_BOILERPLATE_PHRASES = frozenset(
    [f"{verb}{to}{where}{target}" for verb in ("skip", "jump") for to in (" to", " to the", "")
     for where in (" main", " primary", "") for target in (" content", " navigation", " menu", " search", " footer", " sidebar", " main")]
    + [f"{verb} {target}" for verb in ("toggle", "open", "close", "show", "hide", "expand") for target in ("navigation", "menu", "search", "sidebar", "nav")]
    + [
        "menu", "main menu", "primary menu", "mobile menu", "site menu", "navigation", "main navigation",
        "primary navigation", "site navigation", "search", "search for", "search this site", "search the site",
        "search site", "site search", "search here", "search results",
        "log in", "login", "log out", "logout", "sign in", "sign up", "sign out", "signin", "signup",
        "create account", "create an account", "my account", "forgot password", "forgot your password",
        "subscribe", "subscribe now", "unsubscribe", "subscribe to our newsletter", "newsletter",
        "share", "share this", "share this page", "share this post", "share this article", "share this story",
        "share on facebook", "share on twitter", "share via email", "like this", "tweet", "pin it",
        "facebook", "twitter", "linkedin", "pinterest", "reddit", "whatsapp", "follow us",
        "email", "e-mail", "email this", "email this page", "print", "print this", "print this page",
        "print page", "print this article", "printer friendly", "printer-friendly version",
        "loading", "please wait", "advertisement", "advertisements", "sponsored", "sponsored content",
        "related", "related posts", "related articles", "related stories", "related essays", "related content",
        "related links", "related documents", "related papers", "you may also like", "you might also like",
        "recommended for you", "leave a comment", "leave a reply", "leave a response", "post a comment",
        "add a comment", "add comment", "no comments", "no comments yet", "be the first to comment", "reply",
        "read more", "continue reading", "show more", "show less", "see more", "view more", "load more",
        "show more content", "read full essay", "read full document", "read the full essay",
        "previous", "next", "previous post", "next post", "previous article", "next article", "previous page",
        "next page", "previous entry", "next entry", "older posts", "newer posts", "older entries", "newer entries",
        "back to top", "to top", "top of page", "top of the page", "return to top", "scroll to top", "go to top",
        "back to the top",
        "open document", "open in new window", "download", "essay sample", "essay samples", "essay example", "sample essay",
        "free essay", "free essays", "free essay examples", "example essay", "transcription", "zoom in", "zoom out", "full screen", "fullscreen",
        "exit full screen", "exit fullscreen", "fit to width", "fit to page", "start display at page",
        "privacy policy", "terms of use", "terms of service", "terms and conditions", "cookie policy",
        "cookie settings", "accept cookies", "accept all cookies", "accept all", "reject all", "contact us",
        "about us", "sitemap", "site map", "join now", "join free", "join for free", "join now to download",
        "join to download", "sign up to download", "log in to download", "download now", "save", "save to library",
        "add to library",
    ]
)
# The labels that sites end with a colon ("Share this:"); any other label ending in a colon
# ("Reply:", "Email:") may open content on the next line, like "Words of Wisdom:".
_COLON_PHRASES = frozenset(["share this", "share", "like this", "search for", "search", "start display at page", "follow us"])
# Words that are links only inside a menu line ("Home | About | Contact"); alone they may be a heading.
_MENU_WORDS = _BOILERPLATE_PHRASES | {"home", "about", "contact", "blog", "register", "faq", "help", "news", "archive", "archives"}
_COUNT_UNIT = r"(?:words?|pages?|views?|downloads?|characters?|chars|comments?|likes?|shares?|reads?|responses?|replies|min(?:ute)?s? read)"
# Shapes with a varying part, keyed by their first word (lower case, with or without a colon;
# "#" for a number), so a line is tried against one pattern at most. Each must match the whole
# lower-cased line, edge marks stripped.
_SHAPES: dict[str, str] = {
    # document viewers: "You are on page 2 of 12", "Start display at page: 3"
    "you": r"you(?:'re|’re| are) (?:on|viewing|reading) page ?\d+ ?(?:of|/) ?\d+",
    "start": r"start display at page ?:?(?: ?\d+)?",
    # essay-site statistics: "Date Submitted: 01/28/2010 08:14 AM", "Flesch-Kincaid Score: 70.4",
    # "Words: 955", "Pages: 4", "Views: 2,301", "Essay Grade: no grades", "Rating: 4.5/5"
    "date": r"date (?:submitted|uploaded|added|posted) ?: ?.*\d.*",
    "flesch": r"flesch[\w -]{0,30}: ?[\d.,]+",
    "flesch-kincaid": r"flesch-kincaid[\w -]{0,30}: ?[\d.,]+",
    "readability": r"readability[\w -]{0,30}: ?[\d.,]+",
    "reading": r"reading (?:ease|level|time)[\w -]{0,20}: ?[\d.,]+(?: ?min(?:ute)?s?)?",
    "essay": r"essay (?:grade|rating|score|length)s? ?: ?.+",
    "rating": r"rating ?: ?[\d.]+(?: ?(?:/|out of) ?\d+)?(?: stars?)?",
    **{unit: rf"{_COUNT_UNIT} ?: ?\d[\d,.]*" for unit in
       ("word", "words", "page", "pages", "view", "views", "downloads", "character", "characters", "chars",
        "likes", "shares", "reads")},
    # "657 Words3 Pages", "2,301 views", "3 comments", "5 min read", "3 thoughts on “...”"
    "#": rf"(?:\d[\d,.]*\s*{_COUNT_UNIT}\s*[|·•,/-]?\s*)+|\d+ (?:thoughts?|comments?|responses?|replies) (?:on|to) .+",
    "no": r"no (?:comments?|responses?|replies)(?: yet)?",
    "one": r"one (?:comments?|responses?|reply|thoughts?)(?: (?:on|to) .+)?",
    "comments": r"comments? ?(?:\(\d+\)|\[\d+\]|: ?\d+)",
    "comment": r"comments? ?(?:\(\d+\)|\[\d+\]|: ?\d+)",
    "responses": r"responses ?(?:\(\d+\)|\[\d+\]|: ?\d+)",
    # "Report this Essay", "Report abuse", "Cite this page", "How to cite this essay", "Download presentation"
    "report": r"report (?:this(?: \w+)?|abuse|an? (?:issue|problem|error|bug))",
    "cite": r"cite(?: this(?: \w+)?)?",
    "how": r"how to cite(?: this(?: \w+)?)?",
    "download": r"download(?: \S+){0,4}|download [\"“].{1,80}[\"”]",
    # blog chrome: "Posted by admin on March 3, 2012", "Posted by @ 8:53 am on May 12th, 2011",
    # "Posted on May 12, 2011 by admin" (with a date or time), "Filed under ..."
    "posted": r"posted (?:by .{0,60}? (?:on|at|@) .*\d.*|on .*\d.*)",
    "filed": r"filed (?:under|in) ?:? ?.+",
    # "Uploaded by jdoe_44 · 2 pages · 415 words", "Uploaded on Apr 2, 2019": a sharing site's
    # upload line (a by-line says "Submitted by" or "By": that names the author and stays)
    "uploaded": r"uploaded (?:by|on) .+",
    # "« Back to course page", "Back to all interviews": a link back to a listing
    "back": r"back to (?:the |all |our )?(?:\w+ ){0,2}(?:page|list|listing|course|results|top|home|index|blog|site|search|"
            r"overview|menu|categor(?:y|ies)|articles|posts|essays|gallery|collection|interviews|stories|archive)s?",
    # "More about <title>": a link to related pages; chrome only where no prose follows (see clean)
    "more": r"more (?:about|on|from|essays? (?:about|on)) .+",
}
_COMPILED_SHAPES = {word: re.compile(pattern) for word, pattern in _SHAPES.items()}
_SHAPE_PATTERNS = {word + colon: compiled for word, compiled in _COMPILED_SHAPES.items() for colon in ("", ":")}
_COUNT_SHAPE = _COMPILED_SHAPES["#"]
_TRAILING_SHAPE = _COMPILED_SHAPES["more"]
# "Title (Dublin Core)", "Description (DC)": a catalogue field label naming its schema
SCHEMA_LABEL_LINE = re.compile(r"[^\W\d_][\w'’ .-]{0,40}? ?\((?:dublin core|dc)\)")
_SCHEMA_TAILS = ("(dublin core)", "(dc)")
# a menu or breadcrumb trail: " | ", " · ", " › " or " » " between at least three short
# capitalised items without digits or sentence punctuation ("Home | About | Contact | Blog"),
# or between known labels only ("Log in | Sign up")
_MENU_SEPARATORS = (" | ", " · ", " › ", " » ", " > ")
# words of a site's menu, which may also stand without separators ("Home Categories Upload Login")
_MENU_VOCABULARY = frozenset(
    "home about contact blog essays essay flashcards study guides guide sign in log login logout register upload categories "
    "category topics browse search help faq pricing news archive archives top new popular subscribe library papers research "
    "citation tools account examples free menu".split()
)
_MENU_ITEM_MAX_WORDS = 3
_MENU_ITEM_MAX_CHARS = 25
# "…show more content…" (or "...read more...") glued to the end of a content line by a site that
# shows only an excerpt; cut there, recorded, with a break at the cut.
GLUED_MORE = re.compile(r"\s*(?:…|\.{3})\s*(?:show|read|see|view) more(?: content)?\s*(?:…|\.{3})$", re.IGNORECASE)
_GLUE_MARKS = ("…", "...")
# internal kind of a "More about ..." line before clean has seen what follows it
_TRAILING = "boilerplate-if-trailing"


def _menu_item(item: str) -> bool:
    return bool(item) and item[0].isupper() and len(item) <= _MENU_ITEM_MAX_CHARS and len(item.split()) <= _MENU_ITEM_MAX_WORDS and not any(
        c.isdigit() or c in ":.?!;," for c in item
    )


def _is_menu(core: str, key: str) -> bool:
    """``Home | About | Contact``: short capitalised items, or known labels, between separators.

    A site's name first may carry digits ("Papers365 | Home | Help"), and a breadcrumb may end
    in the page's own title ("Essay Lantern | Free Essay Examples | Career Interview: ..."); a line
    of menu words alone is a menu without separators too ("Home Categories Upload Login")."""
    for separator in _MENU_SEPARATORS:
        if separator in core:
            items = [item.strip() for item in core.split(separator)]
            keys = key.split(separator)
            if all(k.strip(_EDGE_MARKS) in _MENU_WORDS for k in keys):
                return True
            if len(items) < 3:
                return False
            first, middle, last = items[0], items[1:-1], items[-1]
            return (
                all(_menu_item(item) for item in middle)
                and (_menu_item(first) or (first[:1].isalnum() and len(first.split()) <= 2))
                and (_menu_item(last) or 3 <= len(last.split()) <= 8)  # a page title closing a breadcrumb
            )
    words = key.split()
    return len(words) >= 3 and all(w in _MENU_VOCABULARY for w in words)


# a breadcrumb trail: two or more " > " (or "›", "»") between short items, which may hold digits
# and colons ("Course home > Week 6: Interviewing > Example notes", "Guide > Interviews 2022 > KT-7")
_BREADCRUMB_SEPARATORS = (" > ", " › ", " » ")
_BREADCRUMB_ITEM_MAX_WORDS = 6
# "Browse: Business | Law | Nursing": a menu after a label of the menu's own
_MENU_LABELS = frozenset("browse categories category topics sections menu navigation explore subjects departments".split())
# "PaperNook Search 200,000+ essays [ Search ]": a search box, its button in brackets
SEARCH_BOX = re.compile(r"\[\s*(?:search|go|find|submit)\s*\]$", re.IGNORECASE)
# the parts of one line of chrome: "Join now to download · Report this document"
_PART_SEPARATORS = re.compile(r"\s+[·|•]\s+")


def _is_breadcrumb(core: str) -> bool:
    for separator in _BREADCRUMB_SEPARATORS:
        if core.count(separator) >= 2:
            items = [item.strip() for item in core.split(separator)]
            return all(item and len(item.split()) <= _BREADCRUMB_ITEM_MAX_WORDS and item[-1] not in ".?!," for item in items)
    return False


def _is_unseparated_menu(core: str, key: str) -> bool:
    """"Home About Me Clinical Journal Interviews Contact": capitalised link labels, most of them a
    menu's words, with nothing that reads as a sentence or a heading between them."""
    words, keys = core.split(), key.split()
    if len(words) < 4 or not all(w[:1].isupper() or w == "&" for w in words) or any(not w.replace("&", "").isalpha() for w in words):
        return False
    known = sum(1 for k in keys if k in _MENU_VOCABULARY)
    return known >= 3 and known >= 0.4 * len(keys) and keys[0] in _MENU_VOCABULARY


def _all_parts_chrome(core: str) -> bool:
    """Every " · "- or " | "-separated part of the line is chrome by itself."""
    parts = _PART_SEPARATORS.split(core)
    return len(parts) >= 2 and all(part and _boilerplate_kind(part) is not None for part in parts)


def _words(key: str) -> int:
    """Words of a line, separators ("·", "|", "»") not counted."""
    return sum(1 for token in key.split() if any(c.isalnum() for c in token))


def _boilerplate_kind(stripped: str) -> str | None:
    """``"boilerplate"`` (or ``_TRAILING``) when a short stripped line is chrome, else None."""
    last = stripped[-1]
    if last in "?!,;" or (last == "." and stripped[-2:-1] != ".") or stripped[0].islower():
        return None  # a sentence, a question, or the rest of a hard-wrapped sentence
    core = stripped.strip(_EDGE_MARKS)
    key = core.lower()
    if key in _BOILERPLATE_PHRASES:
        return "boilerplate" if last != ":" or key in _COLON_PHRASES else None
    if not key:
        return None
    first = key.partition(" ")[0]
    pattern = _SHAPE_PATTERNS.get(first) or (_COUNT_SHAPE if first[0].isdigit() else None)
    if pattern is not None and pattern.fullmatch(key):
        kind = _TRAILING if pattern is _TRAILING_SHAPE else "boilerplate"
    elif key[-1] == ")" and key.endswith(_SCHEMA_TAILS) and SCHEMA_LABEL_LINE.fullmatch(key):
        kind = "boilerplate"
    elif (" | " in core or " · " in core or " › " in core or " » " in core or " > " in core or key.partition(" ")[0] in _MENU_VOCABULARY) and _is_menu(core, key):
        kind = "navigation"  # a site's menu, as the bracketed "[Home | About]" lines are
    elif (" > " in core or " › " in core or " » " in core) and _is_breadcrumb(core):
        kind = "navigation"
    elif first.rstrip(":") in _MENU_LABELS and first.endswith(":") and _is_menu(core[len(first):].strip(), key[len(first):].strip()):
        kind = "navigation"
    elif first in _MENU_VOCABULARY and _is_unseparated_menu(core, key):
        kind = "navigation"
    elif key[-1] == "]" and SEARCH_BOX.search(key):
        kind = "boilerplate"
    elif ("·" in core or "|" in core or "•" in core) and _all_parts_chrome(core):
        kind = "boilerplate"
    else:
        return None
    return kind if _words(key) <= BOILERPLATE_MAX_WORDS else None


# "Words: 903 Pages: 4 Essay Grade: no grades", "Words: 1,204 | Pages: 5": an essay site's statistics
STATS_LINE = re.compile(
    # (each part's white space has one place to go: the pattern stays linear on long lines)
    r"^(?:(?:words?|pages?|views?|downloads?|essay\s+grade|grade|date\s+submitted|length)(?::\s*|\s+)(?:no\s+grades?|[\d,./:]+(?:\s[AP]M)?)(?:\s*[|·]\s*|\s+|$)){2,}$",
    re.IGNORECASE,
)


# "We use cookies to give you the best experience ... Got it!", "This site uses cookies to ...
# Accept | Manage preferences": a notice about the site's cookies, with a consent word.
COOKIE_NOTICE = re.compile(
    r"\b(?:we|this\s+(?:site|website)|our\s+(?:site|website))\s+uses?\s+cookies\b|\bcookies?\b.{0,200}\b(?:accept|consent|agree|preferences|settings|policy|continuing)\b",
    re.IGNORECASE,
)
COOKIE_NOTICE_MAX_WORDS = 60


# What a url/page-number/navigation line can open with: "http"/"www" (URL), "page"/"pg"/"p." or a
# digit, "[" or "-" (page number), "[" (navigation). Boilerplate lines are short: any other line
# opening with an ASCII character and longer than BOILERPLATE_MAX_CHARS is content.
_ARTIFACT_OPENERS = frozenset("hHwWpP[-0123456789")


def _line_kind(stripped: str) -> str | None:
    """The kind of a non-blank stripped line, with ``_TRAILING`` kept for ``clean`` to resolve."""
    first = stripped[0]
    if first in _ARTIFACT_OPENERS or not first.isascii():
        if URL_LINE.match(stripped):
            return "url"
        if PAGE_NUMBER_LINE.match(stripped):
            return "page-number"
        if NAVIGATION_LINE.match(stripped):
            return "navigation"
    # a cookie or consent notice may be a long line, but it is a site's, not the author's
    if "ookie" in stripped and COOKIE_NOTICE.search(stripped) and len(stripped.split(None, COOKIE_NOTICE_MAX_WORDS)) <= COOKIE_NOTICE_MAX_WORDS:
        return "boilerplate"
    if len(stripped) <= BOILERPLATE_MAX_CHARS:
        return _boilerplate_kind(stripped) or ("boilerplate" if STATS_LINE.match(stripped) else None)
    return None


def classify_artifact_line(text: str) -> str | None:
    """The artifact kind of a whole line, or None when the line is content.

    A "More about ..." line is ``boilerplate`` here by its shape; ``clean`` keeps it as content
    where running prose (a line of more than ``BOILERPLATE_MAX_WORDS`` words) follows it.
    """
    if text == FORM_FEED_LINE:
        return "form-feed"
    stripped = text.strip()
    if not stripped:
        return None
    kind = _line_kind(stripped)
    return "boilerplate" if kind == _TRAILING else kind


@cache
def _wordfreq_lookup() -> Callable[[str], bool]:
    """wordfreq's English list (a runtime dependency), imported on first use: it costs ~0.2 s."""
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "en") >= _MIN_ZIPF


_LETTERS = re.compile(r"[^\W\d_]+")


class Vocabulary:
    """Is a string a word? The document's own words first, then a packaged lexicon.

    The document's words are evidence no lexicon has: a name or a technical term that the
    text spells unhyphenated elsewhere. ``lexicon`` can be passed in (tests, other
    languages); by default it is wordfreq's English list.
    """

    def __init__(self, lines: str | Iterable[str], lexicon: Callable[[str], bool] | None = None) -> None:
        # The text's lines (a str is one line), read only when a hyphen is judged: the
        # lines a document already holds, not another copy of the whole text.
        self._lines = [lines] if isinstance(lines, str) else lines
        self._words: set[str] | None = None
        self._lexicon = lexicon if lexicon is not None else _wordfreq_lookup()

    def _document_words(self) -> set[str]:
        if self._words is None:  # built on first use: most texts have no hyphen to judge
            words: set[str] = set()
            for line in self._lines:
                words.update(w.lower() for w in _LETTERS.findall(line))
            self._words = words
        return self._words

    def attests_hyphenated(self, left: str, right: str) -> bool:
        """The text itself writes ``left-right`` inside a line, so the hyphen is the author's."""
        written = re.compile(rf"(?<!\w){re.escape(left)}-{re.escape(right)}(?!\w)", re.IGNORECASE)
        return any(written.search(line) for line in self._lines)

    def __contains__(self, word: str) -> bool:
        if word.lower() in self._document_words():
            return True
        return bool(self._lexicon and self._lexicon(word.lower()))


def dehyphenate(before: str, after: str, vocabulary: Vocabulary) -> tuple[str, str | None]:
    """Join two line halves where ``before`` ends in ``word-``; returns (joined, note or None).

    The hyphen is dropped when the joined word is a word and the text does not itself
    write the hyphenated form; otherwise it is kept ("well-" + "known" -> "well-known").
    Either way the halves join without a space, and the note says what was done.
    """
    if not before.endswith("-"):
        return f"{before} {after}", None
    left_match = HYPHENATED_END.search(before[-64:])
    right_match = LOWER_START.match(after)
    if left_match is None or right_match is None or not after[:1].islower():
        return f"{before} {after}", None
    left, right = left_match.group("left"), right_match.group("right")
    joined = left + right
    if joined in vocabulary and not vocabulary.attests_hyphenated(left, right):
        return before[:-1] + after, f"{left}-|{right} -> {joined}"
    return before + after, f"{left}-|{right} -> {left}-{right} (kept the hyphen)"


def _splits_sentence(before: str, after_text: str) -> bool:
    tail = before.rstrip()
    head = after_text.lstrip()
    return bool(tail and head) and not SENTENCE_END.search(tail) and head[0].islower()


def _neighbour(stripped: list[str], kinds: list[str | None], index: int, step: int) -> int | None:
    """The nearest non-blank line above (step -1) or below (+1)."""
    j = index + step
    while 0 <= j < len(stripped) and not stripped[j] and kinds[j] is None:
        j += step
    return j if 0 <= j < len(stripped) else None


def mark_running_headers(stripped: list[str], kinds: list[str | None]) -> None:
    """Mark repeated short lines that are page furniture as ``running-header`` (in place).

    A short line (no sentence end, no ``Label:``) that occurs at least twice is a running
    header or footer where it stands next to a page mark (page number, form feed) in at
    least two places, or where it splits a sentence of running prose (the content line
    above has at least ``MIN_SPLIT_LINE_WORDS`` words and breaks off, the one below goes on
    in lower case). Its first occurrence as a title line is untouched: only the
    occurrences meeting the rule are marked.
    """
    counts = Counter(stripped)  # in C; the rules below apply to the few lines that repeat
    artifact_texts = {s for s, k in zip(stripped, kinds) if k is not None}  # same text, same kind
    repeated = {
        s for s, n in counts.items()
        # cheap tests first; split stops once there are more words than a header may have
        if n >= 2 and s and not s.endswith((".", "?", "!")) and s not in artifact_texts
        and len(s.split(None, MAX_RUNNING_HEADER_WORDS)) <= MAX_RUNNING_HEADER_WORDS and not _LABELLED.match(s)
    }
    if not repeated:
        return
    at_page_mark: dict[str, list[int]] = {}
    splitting: list[int] = []
    for i, s in enumerate(stripped):
        if s not in repeated or kinds[i] is not None:
            continue
        above, below = _neighbour(stripped, kinds, i, -1), _neighbour(stripped, kinds, i, 1)
        if any(j is not None and kinds[j] in PAGE_KINDS for j in (above, below)):
            at_page_mark.setdefault(s, []).append(i)
        # splitting: the content line above breaks off and the one below goes on in lower case
        up, down = i - 1, i + 1
        while up >= 0 and (not stripped[up] or kinds[up] is not None):
            up -= 1
        while down < len(stripped) and (not stripped[down] or kinds[down] is not None):
            down += 1
        if up >= 0 and down < len(stripped) and _splits_sentence(stripped[up], stripped[down]) and len(stripped[up].split()) >= MIN_SPLIT_LINE_WORDS:
            splitting.append(i)
    for indexes in at_page_mark.values():
        if len(indexes) >= 2:
            for i in indexes:
                kinds[i] = "running-header"
    for i in splitting:
        kinds[i] = "running-header"


# headings of a list of links to other pages ("Related essays" + their titles)
_LINK_LIST_HEADINGS = frozenset(
    {p for p in _BOILERPLATE_PHRASES if p.startswith(("related", "you may", "you might", "recommended"))}
    | {"more essays", "similar essays", "popular essays", "read next", "more from this author", "recommended", "see also"}
)


def mark_link_lists(stripped: list[str], kinds: list[str | None]) -> None:
    """The short lines under a "Related essays" heading are links to other pages: boilerplate
    (in place), up to the first line of prose."""
    for i, line in enumerate(stripped):
        if kinds[i] not in (None, "boilerplate") or not line or line.lower().strip(_EDGE_MARKS) not in _LINK_LIST_HEADINGS:
            continue
        kinds[i] = "boilerplate"
        for j in range(i + 1, len(stripped)):
            text = stripped[j]
            if not text:
                continue
            if kinds[j] is None and (len(text.split(None, BOILERPLATE_MAX_WORDS)) > BOILERPLATE_MAX_WORDS or text[-1] in ".?!"):
                break  # prose again
            if kinds[j] is None:
                kinds[j] = "boilerplate"


def _resolve_trailing(stripped: list[str], kinds: list[str | None]) -> None:
    """A "More about ..." line is boilerplate where no running prose follows it, else content."""
    prose_after = False
    for i in range(len(kinds) - 1, -1, -1):
        kind = kinds[i]
        if kind == _TRAILING:
            kinds[i] = None if prose_after else "boilerplate"
        elif kind is None and not prose_after and len(stripped[i].split(None, BOILERPLATE_MAX_WORDS)) > BOILERPLATE_MAX_WORDS:
            prose_after = True


def _cut_glued(text: str, number: int, artifacts: list[Artifact], decisions: list[Decision]) -> tuple[str, Artifact | None]:
    """Cut "…show more content…" from the end of a content line, recording it (None: no marker)."""
    end = GLUED_MORE.search(text, max(0, len(text) - 40))
    if end is None or end.start() == 0:
        return text, None
    artifact = Artifact("boilerplate", end.group().strip(), number)
    artifacts.append(artifact)
    decisions.append(Decision("clean", f"cut boilerplate artifact {artifact.text!r} from the end of line {number}"))
    return text[: end.start()], artifact


def _describe(pending: list[Artifact]) -> str:
    return (
        f"removed {', '.join(a.kind for a in pending)} artifact "
        f"{' / '.join(repr(a.text) for a in pending)} (line {pending[0].line})"
    )


def clean(decoded: DecodedText, lexicon: Callable[[str], bool] | None = None) -> CleanedText:
    """Remove artifact lines, recording each, and rejoin sentences they interrupted."""
    out: list[Line] = []
    artifacts: list[Artifact] = list(decoded.artifacts)
    decisions: list[Decision] = []
    pending: list[Artifact] = []  # removed since the last content line
    raw_lines = decoded.text.split("\n")
    stripped = [text.strip() for text in raw_lines]
    # the patterns run only on short lines and on lines opening as a url/page-number/navigation
    # line could (or with a non-ASCII character); a long line of prose costs three tests
    kinds = [
        (
            _line_kind(s) if s[0] in _ARTIFACT_OPENERS or not s[0].isascii() or "ookie" in s
            else _boilerplate_kind(s) if len(s) <= BOILERPLATE_MAX_CHARS else None
        ) if s else "form-feed" if raw == FORM_FEED_LINE else None
        for raw, s in zip(raw_lines, stripped)
    ]
    if _TRAILING in kinds:
        _resolve_trailing(stripped, kinds)
    mark_link_lists(stripped, kinds)
    mark_running_headers(stripped, kinds)
    vocabulary = Vocabulary(raw_lines, lexicon)
    joins: list[str] = []
    glued: list[Artifact] = []  # cut from the end of the content line ``glued_line``
    glued_line: Line | None = None

    for number, (raw, text, kind) in enumerate(zip(raw_lines, stripped, kinds), start=1):
        if kind is not None:
            artifact = Artifact(kind, "\\f" if raw == FORM_FEED_LINE else text, number)
            artifacts.append(artifact)
            pending.append(artifact)
            continue
        cut: Artifact | None = None
        if text.endswith(_GLUE_MARKS):  # "...show more content..." at the end of the line
            text, cut = _cut_glued(text, number, artifacts, decisions)
        indent = len(raw) - len(raw.lstrip(" ")) if raw[:1] == " " else 0
        if text and (pending or glued):
            previous = next((line for line in reversed(out) if not line.blank), None)
            if previous is not None and _splits_sentence(previous.text, text):
                while out and out[-1].blank:
                    out.pop()
                joined, note = dehyphenate(previous.text, text, vocabulary)
                offset = len(joined) - len(text)
                previous.text = joined
                previous.breaks.extend((offset, artifact) for artifact in glued + pending)
                if note:
                    joins.append(note)
                decisions.append(Decision("clean", f"{_describe(glued + pending)} and rejoined the sentence it split (lines {previous.number} and {number})"))
                pending, glued = [], []
                if cut is not None:
                    glued, glued_line = [cut], previous
                continue
            if glued and glued_line is not None:  # not rejoined: the break stays where the cut was
                glued_line.breaks.extend((len(glued_line.text), artifact) for artifact in glued)
                glued = []
            line = Line(text, number, [(0, artifact) for artifact in pending], indent)
            out.append(line)
            if pending:
                decisions.append(Decision("clean", _describe(pending)))
                pending = []
            if cut is not None:
                glued, glued_line = [cut], line
            continue
        line = Line(text, number, [], indent)  # positional: a keyword call costs twice as much
        out.append(line)
        if cut is not None:
            glued, glued_line = [cut], line

    if glued and glued_line is not None:
        glued_line.breaks.extend((len(glued_line.text), artifact) for artifact in glued)
    if pending:  # artifacts after the last content line: the break closes the text
        last = next((line for line in reversed(out) if not line.blank), None)
        if last is not None:
            last.breaks.extend((len(last.text), artifact) for artifact in pending)
        decisions.append(Decision("clean", f"removed trailing {', '.join(a.kind + ' ' + repr(a.text) for a in pending)}"))
    if joins:
        decisions.append(Decision("clean", f"joined {len(joins)} word(s) hyphenated across a page break: {'; '.join(joins)}"))
    return CleanedText(decoded=decoded, lines=out, artifacts=artifacts, decisions=decisions)
