"""The query size limits and the structural check of a query's text, before Whoosh reads it.

Owns: ``MAX_QUERY_CHARS``/``MAX_QUERY_WORDS``/``MAX_QUERY_NESTING``, ``query_size_problem``
and ``syntax_problem``: plain string checks, run before a query reaches Whoosh's parser.
Must not: import Whoosh (the CLI and the web app import these at start-up).
"""

from __future__ import annotations

import re

# The largest query searched (``query_size_problem``). A researcher's longest queries are
# a pasted paragraph or a long OR list of names and places: a few hundred words, a few
# KB. 1,000 words (6 to 8 KB of English) is several times that, and with parsing linear
# it parses in about 0.1 s and is searched in about 0.3 s over 2,000 transcripts
# (bench/query_scaling.py); 10,000 characters bounds the work done before words are even
# counted. Time still grows with the words, and Whoosh's own parsing grew with their
# square (4,000 words: 4.7 s; 100 KB ran for minutes): without a cap, one request could
# keep a server busy.
MAX_QUERY_CHARS = 10_000
MAX_QUERY_WORDS = 1_000
# Brackets, and NOT/ANDNOT/ANDMAYBE/REQUIRE, nest Whoosh's syntax tree; its parser and
# query objects recurse on it, so deep nesting fails on Python's recursion limit.
MAX_QUERY_NESTING = 50


def syntax_problem(text: str) -> str | None:
    """What is structurally wrong with a query (unbalanced quotes, brackets, ranges, brackets
    nested too deep), or None.

    Whoosh's parser never fails on these: it quietly closes groups and turns stray
    brackets into words, so "title:(" would search for the word "title". A researcher
    should hear that the query is malformed instead of reading unrelated hits, and hear
    it about the character they typed.
    """
    # A range may mix its ends ({5 TO 10] excludes 5, includes 10): either bracket closes either opener.
    closes = {")": "(", "]": "[{", "}": "[{"}
    stack: list[tuple[str, int]] = []  # (the opening character as typed, its index)
    quote_at = None
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # an escaped character is literal
            continue
        if quote_at is not None:
            if char == '"':
                quote_at = None
        elif char == '"':
            quote_at = i
        elif char in "([{":
            stack.append((char, i))
            if len(stack) > MAX_QUERY_NESTING:
                return f"brackets are nested more than {MAX_QUERY_NESTING} deep"
        elif char in closes:
            if not stack:
                return f"{char!r} at position {i + 1} closes nothing"
            opener, start = stack[-1]
            if opener not in closes[char]:
                return f"{char!r} at position {i + 1} cannot close the {opener!r} at position {start + 1}"
            stack.pop()
            if opener != "(" and not re.search(r"(^|\s)TO(\s|$)", text[start + 1 : i]):
                return f"the range {text[start:i + 1]!r} needs 'TO', e.g. [5 TO 10]"
        i += 1
    if quote_at is not None:
        return f"the quote at position {quote_at + 1} is never closed"
    if stack:
        opener, start = stack[-1]
        if opener == "(":
            return f"'(' at position {start + 1} is never closed"
        example = "[5 TO 10]" if opener == "[" else "{5 TO 10}"
        return f"{opener!r} at position {start + 1} is never closed ({opener!r} starts a range, as in {example}; to search for words only, leave it out)"
    return None


_QUERY_WORD = re.compile(r"\w+")


def query_size_problem(text: str, max_chars: int = MAX_QUERY_CHARS, max_words: int = MAX_QUERY_WORDS) -> str | None:
    """Why a query is too large to search (characters, then words), or None.

    Checked before anything else reads the query, so refusing it costs one pass over at
    most ``max_chars`` characters. Words are runs of letters and digits, operators and
    field names included: the same count a reader of the query would make.
    """
    if len(text) > max_chars:
        return f"the query is {len(text):,} characters long; at most {max_chars:,} are searched (shorten it, or split it into several searches)"
    for words, _ in enumerate(_QUERY_WORD.finditer(text), 1):
        if words > max_words:
            return f"the query has more than {max_words:,} words; at most {max_words:,} are searched (shorten it, or split it into several searches)"
    return None
