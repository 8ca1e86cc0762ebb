"""The header zone of a text: its title and subject lines, and where the body begins.

Part of stage ``structure`` (``structure.py`` calls ``header_zone``). A page puts a lot above
an interview that is not its title: the site's name over its menu, a paper's motto, a section
label in capitals, a collection's or society's name, catalogue numbering, a by-line. The rules
here pass those over and find the line that titles the text; a text may have none.
"""

from __future__ import annotations

import re

from .document import Line

# A line ending in one of these ends its sentence (or a label, a quote, a bracket).
LINE_ENDERS = frozenset('.!?:;"”’)]') | {""}


def word_count(text: str) -> int:
    """Words of a line, split on white space."""
    return len(text.split())


MAX_HEADER_LINES = 12


MAX_TITLE_WORDS = 15


MAX_SUBJECT_WORDS = 4


JOINING_WORDS = {"with", "of", "and", "by", "for", "the", "a", "an", "to", "in", "on", "at", "from", "about"}


MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"


DATE_LINE = re.compile(
    rf"^(?:{WEEKDAYS},?\s+)?(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTHS}\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\.?$",
    re.IGNORECASE,
)


FIELD_LINE = re.compile(r"^[A-Z][A-Za-z ]{1,30}:\s+\S")


# labels of the metadata fields pages and transcripts print ("Date: ...", "Interviewer: ..."); a
# line under another label may be a title ("A Day in the Life: Farrier", "Oral History: ...")
HEADER_FIELD_LABELS = frozenset(
    "date interviewer interviewers interviewee narrator respondent subject subjects category categories tags keywords "
    "topics location place length duration restrictions rights source url link by author posted published updated name "
    "occupation profession employer organization title words pages language format type description summary abstract "
    "collection transcript time note notes email phone from to sent cc re recorded volume series box folder identifier "
    "creator contributor publisher coverage relation citation file files audio video".split()
) | {"interview date", "date of interview", "transcribed by", "edited by", "run time", "media type", "e-mail", "job title"}


# a title that names one interview ("Interview with Mary Lou Haverkamp", "Five Questions for a
# Lineman"): preferred over a series or site name above it ("... Oral History Project")
INTERVIEW_TITLE = re.compile(
    r"\b(?:interview(?:ing)?\s+(?:with|of)|conversation\s+with|questions\s+for|talk(?:ing)?\s+with|day\s+in\s+the\s+life|"
    r"interview(?:ing)?\s+(?:a|an|the|my)|interviewed\s+by|minutes\s+with)\b",
    re.IGNORECASE,
)


# a line naming an institution, a publication or a collection ("Ashgrove County Historical Society",
# "Loom & Ledger Quarterly", "... Oral History Collection") heads the page, it does not title the text
INSTITUTION_LINE = re.compile(
    r"\b(?:Society|Library|Museum|Archives?|Collection|Project|Program(?:me)?|Center|Centre|University|College|Foundation|"
    r"Institute|Newsletter|Quarterly|Weekly|Monthly|Gazette|Times|Courier|Review|Journal|Magazine|Herald|Tribune|Press)[\"”’]?$",
    re.IGNORECASE,
)


# catalogue and course numbering: "Transcript No. 47", "Tape 2", "Volume 1", "Issue 38 · Spring
# 2020", "Assignment 3 — Professional Interview", "Week 6: Interviewing"
NUMBERING_LINE = re.compile(
    r"^(?:Transcript|Tape|Volume|Vol\.|Issue|Item|Accession|Box|Folder|Part|Assignment|Week|Module|Unit|Lesson|Homework|Lab)"
    r"\s+(?:No\.?\s*|#\s*)?\d+\b",
    re.IGNORECASE,
)


# the heading of a class paper names its course, its teacher and the term, never the text:
# "GEOG 2150 – Rural Landscapes", "NURS 1105: Health Careers" (a course
# number is not a year), "Professor R. Adeyemi", "University of the Tallgrass Uplands · Fall 2023"
COURSE_LINE = re.compile(
    r"^[A-Z]{2,5}[ -]?(?!(?:19|20)\d\d\b)\d{3,4}[A-Z]?\b"
    # "Sociology 101", "English Composition 1302": a subject's name and its course number alone
    r"|^[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\s+(?!(?:19|20)\d\d$)\d{3,4}[A-Z]?$"
)
INSTRUCTOR_LINE = re.compile(r"^(?:Professor|Prof\.|Instructor|Dr\.|Mr\.|Mrs\.|Ms\.|Teacher)\s+[A-Z][\w.]*(?:\s+[A-Z][\w.\'’-]*){0,3}$")
TERM_LINE = re.compile(r"\b(?:Fall|Spring|Summer|Winter|Autumn)\s+(?:(?:Term|Semester|Quarter|Session)\s+)?\d{4}$")
# a file's name, as a sharing site prints it over the document ("Informational Interview.docx")
FILE_NAME_LINE = re.compile(r"\.(?:docx?|pdf|txt|rtf|odt|pages|pptx?)$", re.IGNORECASE)
# "Jordan Pike" over their course or teacher: the author's name in a class paper's heading
_NAME_ONLY = re.compile(r"^[A-Z][\w'’-]+(?:\s+(?:[A-Z]\.|[A-Z][\w'’-]+)){1,3}$")


# "By Irina Sokol", "by Maeve Sundqvist, Grade 11", "Interview by Rolf Ashby", "Submitted by Quinn
# Alvarado", "Posted by Ravi Menon · 3 comments": the line under a title
BY_LINE = re.compile(r"^(?i:(?:(?:interview(?:ed)?|written|story|text|words|submitted|posted|shared|contributed|compiled|reported)\s+)?by)\s+[A-Z]")


_SENTENCE_END_MARK = re.compile(r"[.!?][\"”’)]?(?:\s|$)")


_SUBJECT_LINE = re.compile(r"[A-Za-z][A-Za-z ,&/'’-]*")


def _is_sentence_line(text: str) -> bool:
    """A line that reads as running prose, which ends the header zone."""
    stripped = text.strip()
    words = word_count(stripped)
    if words > 40:
        return True
    return words >= 6 and _has_sentence_end(stripped) and not _is_heading_case(stripped)


# "Vol. 22, No. 3", "Dr. Lee", "R. W. Hadley": a dot that ends an abbreviation or an initial
_ABBREVIATION_DOT = re.compile(
    r"(?:\b(?:Vol|Vols|No|Nos|Mr|Mrs|Ms|Dr|St|Jr|Sr|Inc|Co|Ltd|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|pp?|"
    r"ed|eds|vs|approx|Rev|Prof|Gen|Capt|Lt|Sgt|Ave|Blvd|Mt|Ft)|\b[A-Z])$"
)


def _has_sentence_end(text: str) -> bool:
    """A full stop, question or exclamation mark ends a sentence somewhere in ``text``."""
    return any(
        match.group(0)[0] != "." or not _ABBREVIATION_DOT.search(text[: match.start()])
        for match in _SENTENCE_END_MARK.finditer(text)
    )


def _is_heading_case(text: str) -> bool:
    """All capitals, or every longer word capitalised ("AN INTERVIEW WITH A POLICE OFFICER.",
    "An Interview With A Nurse."): a heading, even with a full stop, which prose never is."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    if len(words) < 2:
        return False
    return text.upper() == text or all(w[0].isupper() for w in words)


# a title may end in an abbreviation's dot ("Interview of an E.M.T."), not in a sentence's
_ABBREVIATION_END = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Jr|Sr|Dr|St|Mr|Mrs|Ms|Inc|Co|Ltd|Bros)\.$")


def _is_title_like(text: str) -> bool:
    stripped = text.strip()
    return (
        0 < word_count(stripped) <= MAX_TITLE_WORDS
        and not DATE_LINE.match(stripped)
        and not _is_field_line(stripped)
        and (not stripped.endswith(".") or _ABBREVIATION_END.search(stripped) is not None or _is_heading_case(stripped))
        and not stripped.endswith(":")  # a label introducing what follows ("Words of Wisdom:")
        and (stripped[0].isupper() or stripped[0].isdigit() or (stripped[0] in "\"“‘'" and stripped[1:2].isupper()))
    )


def _is_field_line(text: str) -> bool:
    """"Date: March 3", "Interviewer: Jane Doe": a known metadata label and its value. A value
    naming an interview is a title after all ("Transcript: Talking With a Pediatric Nurse")."""
    if FIELD_LINE.match(text) is None or text.partition(":")[0].strip().lower() not in HEADER_FIELD_LABELS:
        return False
    return INTERVIEW_TITLE.search(text.partition(":")[2]) is None


def _is_course_heading(zone: list[Line], index: int) -> bool:
    """A line of a class paper's heading: course, teacher, term, or the author's name over them."""
    text = zone[index].text.strip()
    if COURSE_LINE.match(text) or INSTRUCTOR_LINE.match(text) or TERM_LINE.search(text):
        return True
    if not _NAME_ONLY.match(text) or index + 1 >= len(zone):
        return False
    following = zone[index + 1].text.strip()
    return bool(COURSE_LINE.match(following) or INSTRUCTOR_LINE.match(following))


def _below_menu(content: list[Line], zone_end: int) -> int:
    """Index of the first header line under a site's menu (0 when no menu stands in the header):
    what stands above a menu is the site's masthead (name, motto), not the text's title."""
    for index in range(1, zone_end):
        line = content[index]
        if any(offset == 0 and artifact.kind == "navigation" and artifact.line < line.number for offset, artifact in line.breaks):
            return index
    return 0


def _reads_as_a_turn(rest: str) -> bool:
    """What follows a label at the top of a text reads as speech (a sentence, or a long run of
    words), not as the rest of a title ("Community Voices: \"They teach me ...\"")."""
    rest = rest.strip()
    if rest[:1] in "\"“‘'":
        return False
    return word_count(rest) > 15 or (word_count(rest) > 5 and rest[-1:] in ".?!" and not _is_heading_case(rest))


def _is_kicker(zone: list[Line], index: int) -> bool:
    """A section label in capitals over a headline ("WORKING LIVES", "MEMBER SPOTLIGHT")."""
    text = zone[index].text.strip()
    return (
        word_count(text) <= 3 and text.upper() == text and index + 1 < len(zone)
        and _is_title_like(zone[index + 1].text) and word_count(zone[index + 1].text) > word_count(text)
    )


def _is_masthead(content: list[Line], index: int) -> bool:
    """A site's name over its menu: the next content line follows a removed navigation line."""
    if index + 1 >= len(content):
        return False
    line, following = content[index], content[index + 1]
    return any(offset == 0 and artifact.kind == "navigation" and line.number < artifact.line < following.number for offset, artifact in following.breaks)


def _runs_on(content: list[Line], index: int) -> bool:
    """A prose-length line that goes on, mid-sentence, in the next line: hard-wrapped body text."""
    line = content[index]
    if index + 1 >= len(content) or word_count(line.text) < 6:
        return False
    following = content[index + 1]
    if BY_LINE.match(following.text):
        return False  # "An Interview with a Nurse" / "by Jane Doe": a title and its by-line
    # the next line, or the one after a blank line in double-spaced text
    return following.number - line.number <= 2 and following.text[:1].islower() and line.text[-1:] not in LINE_ENDERS


def header_zone(
    lines: list[Line], label_line: re.Pattern[str], content: list[Line] | None = None, turn_lines: frozenset[int] = frozenset()
) -> tuple[list[Line], list[Line], int]:
    """(title lines, subject lines, index of the first body line) over non-blank lines.

    ``label_line`` matches a line opening a speaker's turn (its ``rest`` group is what follows
    the label); ``content`` is the non-blank lines of ``lines`` where the caller has them already;
    ``turn_lines`` the numbers of lines that open a turn of a recurring speaker label: the
    first of them starts the body however short it is ("Q: Where?"), and none is a title.
    """
    if content is None:
        content = [line for line in lines if not line.blank]
    zone_end = 0
    while zone_end < min(len(content), MAX_HEADER_LINES) and not _is_sentence_line(content[zone_end].text):
        if content[zone_end].number in turn_lines:
            break
        if (label := label_line.match(content[zone_end].text)) and _reads_as_a_turn(label.group("rest")):
            break  # "Jane Doe: Well, I was born in 1931." is a turn; "Oral History: ER Nurse, April 2020" a title
        if _runs_on(content, zone_end):
            break
        zone_end += 1
    zone = content[:zone_end]
    title: list[Line] = []
    subjects: list[Line] = []
    candidates = [
        i for i, line in enumerate(zone)
        if _is_title_like(line.text) and not _is_masthead(content, i) and not _is_kicker(zone, i)
        and not INSTITUTION_LINE.search(line.text.strip()) and not NUMBERING_LINE.match(line.text.strip())
        and not FILE_NAME_LINE.search(line.text.strip()) and not _is_course_heading(zone, i)
    ]
    under_menu = _below_menu(content, zone_end)
    if any(i >= under_menu for i in candidates):
        candidates = [i for i in candidates if i >= under_menu]
    chosen = candidates[0] if candidates else None
    # a headline is the line right above its by-line, whatever stands above it (a paper's name,
    # its motto, a section label)
    by_line = next((i for i, line in enumerate(zone) if BY_LINE.match(line.text.strip())), None)
    if by_line is not None and by_line - 1 in candidates:
        chosen = by_line - 1
    elif chosen is not None and not INTERVIEW_TITLE.search(zone[chosen].text):
        chosen = next((i for i in candidates if INTERVIEW_TITLE.search(zone[i].text) and i - chosen <= 4), chosen)
    for index, line in enumerate(zone):
        if index == chosen:
            title = [line]
            last_word = line.text.split()[-1].lower()
            if last_word in JOINING_WORDS and index + 1 < len(zone) and _is_title_like(zone[index + 1].text):
                title.append(zone[index + 1])
            for follower in zone[index + len(title):]:
                text = follower.text.strip()
                if text == title[0].text.strip():
                    continue  # the page repeats its title (page header + heading)
                if (
                    word_count(text) <= MAX_SUBJECT_WORDS
                    and not DATE_LINE.match(text)
                    and not FIELD_LINE.match(text)
                    and _SUBJECT_LINE.fullmatch(text)
                ):
                    subjects.append(follower)
                else:
                    break
            break
    return title, subjects, zone_end
