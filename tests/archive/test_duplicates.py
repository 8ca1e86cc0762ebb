"""Duplicate detection by content (archive/duplicates.py, issue #18).

Real texts from ../shared/corpus-dev, ../shared/corpus-excerpts and the seed are turned into
records by the real pipeline (``prepare(read_source(path))``); modified copies are written to
``tmp_path`` as another site would publish them. Every copy must be found, no two different
interviews may be paired (same site template, same kind of interview).
"""

from __future__ import annotations

import itertools
import random
import re
import textwrap
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st
from oral_archive.archive.duplicate_clusters import clusters, disagreements
from oral_archive.archive.duplicates import (
    DEFAULT_THRESHOLD,
    LSH_THRESHOLD,
    NUM_PERM,
    SIGNATURE_TEXT_PATTERN,
    DuplicateIndex,
    Signature,
    lsh_params,
    normalize,
    shingle_hash,
    shingle_hashes,
    shingle_text,
    shingles,
    signature_of,
    signature_of_text,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED_FILE = SHARED / "seeds" / "interview-with-law-enforcement-officer.txt"
CORPUS_FILES = sorted((SHARED / "corpus-dev" / "files").glob("*.txt")) + sorted((SHARED / "corpus-excerpts" / "files").glob("*.txt"))
ALL_FILES = [SEED_FILE] + CORPUS_FILES

# ---------------------------------------------------------------- how other sites copy a text

SITES = {
    "studycorner": (
        "StudyCorner Essays\nHome | Free Essays | Interviews | Samples | Contact\nSearch 50,000 free essays\n\n",
        (
            "\n\nShare this essay: Facebook · Twitter · Pinterest\nRelated essays\nInterview With a Nurse\n"
            "Career Interview Paper\n© 2024 StudyCorner. All rights reserved. Privacy Policy | Terms of Use\n"
            "https://studycorner.example/essays/{slug}\n"
        ),
    ),
    "paperhub": (
        (
            "PaperHub — Essays, Interviews & Research\nBrowse » Careers » Interviews\nSign in   Register\n"
            "Posted by admin on March 3, 2019\n\n"
        ),
        (
            "\n\nCite this essay\nPaperHub. (2019). Retrieved from https://paperhub.example/{slug}\n"
            "Read more: Interview With a Firefighter\nSubscribe to our newsletter\n"
            "Copyright (c) 2019 PaperHub. Contact us: help@paperhub.example\n"
        ),
    ),
}
CONTENT_WORDS = 8  # a line with at least this many words is content, not a title or label


def wrap_site(text: str, site: str, slug: str = "interview") -> str:
    header, footer = SITES[site]
    return header + text.strip("\n") + footer.format(slug=slug)


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _is_content(line: str) -> bool:
    return len(line.split()) >= CONTENT_WORDS


def rewrap(text: str, width: int = 60) -> str:
    """Hard-wrap every content line at ``width`` columns (as a site's plain-text view does)."""
    out = []
    for line in _lines(text):
        out.extend(textwrap.wrap(line, width) if _is_content(line) else [line])
    return "\n".join(out) + "\n"


def change_case(text: str) -> str:
    """The title in upper case, the first content paragraph in Title Case."""
    lines = _lines(text)
    first = next(i for i, line in enumerate(lines) if line.strip())
    lines[first] = lines[first].upper()
    content = next(i for i, line in enumerate(lines) if _is_content(line) and i != first)
    lines[content] = lines[content].title()
    return "\n".join(lines) + "\n"


_LONE_URL = re.compile(r"^\s*https?://\S+\s*$")


def move_page_break(text: str, where: float = 0.6) -> str:
    """Drop the text's own page-break lines (a lone URL line) and break the page at another
    place, mid-sentence: "Page 2 of 3" and the page URL between two halves of a line."""
    lines = [line for line in _lines(text) if not _LONE_URL.match(line)]
    content = [i for i, line in enumerate(lines) if _is_content(line)]
    target = content[min(len(content) - 1, int(len(content) * where))]
    words = lines[target].split()
    half = len(words) // 2
    lines[target : target + 1] = [
        " ".join(words[:half]),
        "",
        "Page 2 of 3",
        "https://mirror-site.example/interview/page/2",
        "",
        " ".join(words[half:]),
    ]
    return "\n".join(lines) + "\n"


_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’)])\s+")


def drop_sentences(text: str, fraction: float = 0.10, seed: int = 18) -> str:
    """Remove ``fraction`` of the sentences of the content lines (deterministic)."""
    lines = _lines(text)
    sentences = []  # (line number, sentence number)
    split = {}
    for i, line in enumerate(lines):
        if _is_content(line):
            split[i] = [s for s in _SENTENCE.split(line) if s]
            sentences.extend((i, j) for j in range(len(split[i])))
    rng = random.Random(seed)
    gone = set(rng.sample(sentences, max(1, round(len(sentences) * fraction))))
    for i, parts in split.items():
        lines[i] = " ".join(s for j, s in enumerate(parts) if (i, j) not in gone)
    return "\n".join(lines) + "\n"


def everything(text: str) -> str:
    return wrap_site(rewrap(drop_sentences(move_page_break(change_case(text)))), "paperhub")


VARIANTS = {
    "other-site": lambda t: wrap_site(t, "studycorner"),
    "rewrapped": rewrap,
    "case": change_case,
    "page-break": move_page_break,
    "sentences-10pct": drop_sentences,
    "all-at-once": everything,
}

# ---------------------------------------------------------------- records through the pipeline


def record_for(path: Path):
    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import prepare

    return prepare(read_source(path)).record


@cache
def _original(path: str):
    return record_for(Path(path))


def variant_record(tmp_path: Path, original: Path, variant: str):
    text = original.read_text(encoding="utf-8")
    out = tmp_path / f"{variant}-{original.stem}.txt"
    out.write_text(VARIANTS[variant](text), encoding="utf-8")
    return record_for(out)


def _by_name(prefix: str) -> Path:
    return next(p for p in ALL_FILES if p.name.startswith(prefix))


def _signature(path: Path) -> Signature:
    return signature_of(_original(str(path)))


def _exact_jaccard(a, b) -> float:
    sa, sb = shingles(shingle_text(a)), shingles(shingle_text(b))
    return len(sa & sb) / len(sa | sb)


def test_the_corpora_are_there():
    assert SEED_FILE.is_file()
    assert len(CORPUS_FILES) >= 14


# ---------------------------------------------------------------- copies are found


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_modified_copy_is_found(tmp_path, variant):
    index = DuplicateIndex(tmp_path / "duplicates.sqlite")
    for path in ALL_FILES:
        index.add(f"orig:{path.stem}", _signature(path))
    for path in ALL_FILES:
        copy = variant_record(tmp_path, path, variant)
        signature = signature_of(copy)
        estimate = signature.jaccard(_signature(path))
        assert estimate >= DEFAULT_THRESHOLD, (variant, path.name, estimate, _exact_jaccard(copy, _original(str(path))))
        found = index.candidates(signature, DEFAULT_THRESHOLD)
        # found, and nothing else: the copy matches its original only
        assert [record_id for record_id, _ in found] == [f"orig:{path.stem}"], (variant, path.name, found)
        assert found[0][1] == pytest.approx(estimate)


def test_the_copies_differ_as_intended(tmp_path):
    """The variants really change the text a reader would see (guards the helpers)."""
    text = SEED_FILE.read_text(encoding="utf-8")
    assert "StudyCorner" in VARIANTS["other-site"](text)
    assert max(len(line) for line in rewrap(text).splitlines() if not _LONE_URL.match(line)) <= 60
    assert "INTERVIEW WITH LAW ENFORCEMENT OFFICER" in change_case(text)
    moved = move_page_break(text)
    assert "Page 2 of 3" in moved and "https://assignbuster.com" not in moved
    dropped = drop_sentences(text)
    assert 0.8 < len(dropped) / len(text) < 0.97


def test_copies_form_one_cluster_each(tmp_path):
    index = DuplicateIndex(tmp_path / "duplicates.sqlite")
    chosen = [SEED_FILE, _by_name("01-"), _by_name("34-")]
    for path in chosen:
        index.add(f"{path.stem}:orig", _signature(path))
        for variant in ("other-site", "all-at-once"):
            index.add(f"{path.stem}:{variant}", signature_of(variant_record(tmp_path, path, variant)))
    for path in ALL_FILES:  # the other interviews, alone
        if path not in chosen:
            index.add(f"{path.stem}:orig", _signature(path))
    found = clusters(index, DEFAULT_THRESHOLD)
    assert sorted(c.record_ids for c in found) == sorted(
        tuple(sorted(f"{p.stem}:{v}" for v in ("orig", "other-site", "all-at-once"))) for p in chosen
    )
    for cluster in found:
        assert cluster.similarity >= DEFAULT_THRESHOLD
        assert all(a < b and a in cluster.record_ids and b in cluster.record_ids for a, b, _ in cluster.pairs)


# ---------------------------------------------------------------- different interviews stay apart


def _all_pairs_below(signatures: dict[str, Signature], tmp_path: Path) -> float:
    worst = max(a.jaccard(b) for a, b in itertools.combinations(signatures.values(), 2))
    assert worst < DEFAULT_THRESHOLD
    index = DuplicateIndex(tmp_path / "negatives.sqlite")
    for name, signature in signatures.items():
        index.add(name, signature)
    for name, signature in signatures.items():
        assert index.candidates(signature, DEFAULT_THRESHOLD, exclude=name) == []
    assert clusters(index, DEFAULT_THRESHOLD) == []
    return worst


def test_different_interviews_in_one_site_template_stay_apart(tmp_path):
    """Every text posted in the same page template (header, menu, share bar, footer)."""
    signatures = {}
    for path in ALL_FILES:
        out = tmp_path / f"template-{path.stem}.txt"
        out.write_text(wrap_site(path.read_text(encoding="utf-8"), "paperhub", slug="interview"), encoding="utf-8")
        signatures[path.stem] = signature_of(record_for(out))
    assert _all_pairs_below(signatures, tmp_path) < 0.05


def test_different_interviews_of_the_same_kind_stay_apart(tmp_path):
    """Officers (seed, detective, Raleigh police, peace officer, corrections), nurses,
    teachers: shared vocabulary, different interviews."""
    signatures = {path.stem: _signature(path) for path in ALL_FILES}
    assert _all_pairs_below(signatures, tmp_path) < 0.05
    officers = [SEED_FILE, _by_name("01-"), _by_name("22-"), _by_name("30-"), _by_name("34-")]
    for a, b in itertools.combinations(officers, 2):
        assert _signature(a).jaccard(_signature(b)) < 0.05, (a.name, b.name)
    assert _exact_jaccard(_original(str(SEED_FILE)), _original(str(_by_name("01-")))) < 0.01


def test_one_questionnaire_answered_by_two_people_stays_apart(tmp_path):
    """The same numbered questions (a class assignment), different answers."""
    text = _by_name("30-").read_text(encoding="utf-8")
    questions = [line for line in text.splitlines() if re.match(r"^\d+\. ", line)]
    assert len(questions) >= 4

    def answers(path: Path) -> list[str]:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if _is_content(line)]
        sentences = [s for line in lines for s in _SENTENCE.split(line) if len(s.split()) >= 6]
        per = max(1, len(sentences) // len(questions))
        return [" ".join(sentences[i * per : (i + 1) * per]) for i in range(len(questions))]

    signatures = {}
    for source in (_by_name("01-"), _by_name("22-"), SEED_FILE):
        body = "\n".join(f"{q}\n{a}" for q, a in zip(questions, answers(source)))
        out = tmp_path / f"questionnaire-{source.stem}.txt"
        out.write_text(f"Career Interview Assignment\n\n{body}\n", encoding="utf-8")
        signatures[source.stem] = signature_of(record_for(out))
    _all_pairs_below(signatures, tmp_path)


# ---------------------------------------------------------------- the text compared


def test_shingle_text_leaves_out_titles_and_boilerplate(tmp_path):
    out = tmp_path / "junk.txt"
    out.write_text(everything(SEED_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    text = shingle_text(record_for(out))
    for junk in ("paperhub", "newsletter", "copyright", "https", "help paperhub example", "page 2 of 3", "interview with law enforcement officer"):
        assert junk not in text
    assert text.startswith("i had an opportunity to interview a police officer")


def test_a_body_of_nothing_but_boilerplate_has_an_empty_signature(tmp_path):
    index = DuplicateIndex(tmp_path / "d.sqlite")
    empty = signature_of_text("")
    assert empty.is_empty and empty.shingle_count == 0
    index.add("empty", empty)
    assert "empty" not in index and len(index) == 0
    assert index.candidates(empty) == []
    assert empty.jaccard(empty) == 0.0


def test_normalize():
    assert normalize("Don’t  STOP — café, naïve!\nSee https://x.example/a and me@x.org. Page 2 of 3") == "dont stop cafe naive see and"
    assert shingles("a b c", 4) == {"a b c"}
    assert shingles("a b c d e", 4) == {"a b c d", "b c d e"}


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=200))
@settings(max_examples=200, deadline=None)
def test_normalize_is_idempotent_and_ignores_case(text):
    once = normalize(text)
    assert normalize(once) == once
    assert normalize(text.upper()) == once == normalize(text.lower())


# ---------------------------------------------------------------- signatures


def test_signature_matches_datasketch():
    a, b = _signature(SEED_FILE), _signature(_by_name("01-"))
    assert a.jaccard(b) == a.minhash().jaccard(b.minhash())
    # a plain datasketch MinHash over the shingle strings, with our shingle hash function
    mh = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=shingle_hash)
    mh.update_batch([s.encode() for s in shingles(shingle_text(_original(str(SEED_FILE))))])
    assert np.array_equal(mh.hashvalues, a.hashvalues)


@given(st.lists(st.sampled_from(["the", "police", "officer", "café", "a", "of", "0", "x"]), max_size=12), st.integers(1, 6))
def test_vectorized_shingle_hashes_equal_one_at_a_time(words, k):
    text = " ".join(words)
    assert sorted(shingle_hashes(text, k).tolist()) == sorted({shingle_hash(s) for s in shingles(text, k)})


def test_signature_is_the_same_in_another_process():
    import subprocess
    import sys

    code = (
        "from oral_archive.archive.duplicates import signature_of_text;"
        "print(signature_of_text('the same words in another process give the same signature').to_text())"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {signature_of_text("the same words in another process give the same signature").to_text()}


def test_signature_text_size():
    text = _signature(SEED_FILE).to_text()
    assert len(text) == 703 and text.isascii()
    assert len(_signature(SEED_FILE).to_bytes()) == 512


@given(st.lists(st.integers(0, 2**32 - 1), min_size=NUM_PERM, max_size=NUM_PERM))
def test_signature_round_trip(values):
    signature = Signature(np.array(values, dtype=np.uint32))
    assert Signature.from_text(signature.to_text()) == signature
    assert Signature.from_bytes(signature.to_bytes()) == signature
    assert Signature.from_text(signature.to_text()).hashvalues.tolist() == values
    assert re.fullmatch(SIGNATURE_TEXT_PATTERN, signature.to_text())


@pytest.mark.parametrize("bad", ["", "mh1-affine32-1-64:AAAA", "mh1-affine32-1-128:AAAA", "mh1-affine32-1-128:!!!!"])
def test_a_foreign_signature_is_refused(bad):
    with pytest.raises(ValueError):
        Signature.from_text(bad)


# ---------------------------------------------------------------- the index against datasketch


def _texts_with_overlap(count: int, seed: int = 7) -> dict[str, Signature]:
    """Texts that share a varying share of their words with a few base texts: Jaccards
    spread over 0..1, so banding decides."""
    rng = random.Random(seed)
    vocabulary = sorted({w for p in ALL_FILES for w in normalize(p.read_text(encoding="utf-8")).split()})
    bases = [[rng.choice(vocabulary) for _ in range(300)] for _ in range(5)]
    result = {}
    for i in range(count):
        words = list(rng.choice(bases))
        keep = rng.random()
        for j in range(len(words)):
            if rng.random() > keep:
                words[j] = rng.choice(vocabulary)
        result[f"t{i:03d}"] = signature_of_text(" ".join(words))
    return result


def test_index_candidates_equal_minhashlsh(tmp_path):
    signatures = _texts_with_overlap(300)
    index = DuplicateIndex(tmp_path / "d.sqlite")
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (index.bands, index.rows) == lsh_params()
    for name, signature in signatures.items():
        index.add(name, signature)
        lsh.insert(name, signature.minhash())
    sizes = []
    for name, signature in signatures.items():
        expected = set(lsh.query(signature.minhash()))
        assert set(index.candidate_ids(signature)) == expected
        sizes.append(len(expected))
        found = index.candidates(signature, 0.0)
        assert {rid for rid, _ in found} == expected
        for rid, estimate in found:
            assert estimate == signature.minhash().jaccard(signatures[rid].minhash())
    assert 1 < sum(sizes) / len(sizes) < len(signatures)  # the test is not trivial
    expected_pairs = {tuple(sorted((a, b))) for a, sig in signatures.items() for b in lsh.query(sig.minhash()) if a != b}
    assert set(index.candidate_pairs()) == expected_pairs
    brute = {(a, b) for (a, sa), (b, sb) in itertools.combinations(sorted(signatures.items()), 2) if sa.jaccard(sb) >= DEFAULT_THRESHOLD}
    assert {(a, b) for a, b, _ in index.pairs(DEFAULT_THRESHOLD)} <= brute


def test_rebuild_equals_adding_one_by_one_and_replaces_the_old_index(tmp_path):
    signatures = _texts_with_overlap(120, seed=3)
    one_by_one = DuplicateIndex(tmp_path / "a.sqlite")
    for name, signature in signatures.items():
        one_by_one.add(name, signature)
    rebuilt = DuplicateIndex(tmp_path / "b.sqlite")
    rebuilt.add("stale-record", signature_of_text("a record that is gone from the archive by now"))
    assert rebuilt.rebuild(iter(signatures.items()), batch=7) == len(signatures)
    assert "stale-record" not in rebuilt and len(rebuilt) == len(signatures)
    for signature in signatures.values():
        assert rebuilt.candidates(signature, 0.2) == one_by_one.candidates(signature, 0.2)
    assert sorted(rebuilt.pairs(0.2)) == sorted(one_by_one.pairs(0.2))
    rebuilt.close()
    reopened = DuplicateIndex(tmp_path / "b.sqlite", lsh_threshold=0.9)  # the stored parameters win
    assert (reopened.bands, reopened.rows, reopened.lsh_threshold) == (one_by_one.bands, one_by_one.rows, LSH_THRESHOLD)
    assert reopened.get("t000") == signatures["t000"]
    assert not list(tmp_path.glob(".tmp-*"))


def test_remove_and_a_new_version(tmp_path):
    index = DuplicateIndex(tmp_path / "d.sqlite")
    seed, copy = _signature(SEED_FILE), signature_of(variant_record(tmp_path, SEED_FILE, "other-site"))
    index.add("seed", seed)
    index.add("copy", copy)
    assert [rid for rid, _ in index.candidates(seed, exclude="seed")] == ["copy"]
    assert index.remove("copy") is True and index.remove("copy") is False
    assert index.candidates(seed, exclude="seed") == []
    index.add("copy", copy)
    index.add("copy", _signature(_by_name("03-")))  # a new version with another text replaces it
    assert index.candidates(seed, exclude="seed") == [] and len(index) == 2
    buckets = index._db.execute("SELECT count(*) FROM buckets").fetchone()[0]
    assert buckets == 2 * index.bands


def test_a_reader_sees_the_writers_commits(tmp_path):
    writer = DuplicateIndex(tmp_path / "d.sqlite")
    reader = DuplicateIndex(tmp_path / "d.sqlite")
    writer.add("seed", _signature(SEED_FILE))
    assert [rid for rid, _ in reader.candidates(_signature(SEED_FILE))] == ["seed"]


# ---------------------------------------------------------------- metadata of the copies


def test_disagreements_name_the_fields_where_copies_differ(tmp_path):
    original = _original(str(SEED_FILE))
    interviewee = next(p for p in original.participants if p.role == "interviewee")
    copy = original.model_copy(
        update={
            "id": "copy-of-the-seed-00000000",
            "title": original.title.model_copy(update={"value": original.title.value.upper()}),
            "participants": [interviewee.model_copy(update={"place": None})],
            "subjects": [],
        }
    )
    table = disagreements([original, copy])
    assert table["interviewee_place"] == {original.id: "El Paso", copy.id: None}
    assert table["subjects"] == {original.id: "Law", copy.id: None}
    assert "title" not in table  # case only
    assert "interviewee_occupation" not in table and "source_url" not in table
    assert disagreements([original, original]) == {}


def test_disagreements_of_a_real_copy(tmp_path):
    original = _original(str(SEED_FILE))
    copy = variant_record(tmp_path, SEED_FILE, "page-break").model_copy(update={"id": "copy-00000000"})
    table = disagreements([original, copy])
    assert set(table) <= {"source_url", "source_site", "title", "subjects"}
    if "source_url" in table:
        assert table["source_url"][original.id] == "https://assignbuster.com/interview-with-law-enforcement-officer/"


# ---------------------------------------------------------------- transcript, edited transcript, captions

_TURN = re.compile(r"^(?P<speaker>[A-Z][A-Za-z. ]*?) (?P<time>\d+:\d\d)$")


def _turns(path: Path) -> list[tuple[str, str]]:
    """(speaker, text) of a transcript laid out as "Speaker 0:39" lines, each above its turn."""
    turns, speaker = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TURN.match(line.strip())
        if match:
            speaker = match["speaker"]
        elif speaker and line.strip():
            turns.append((speaker, line.strip()))
    return turns


_FILLERS = re.compile(r"\b(?:Yeah, so |Yeah, |so I'd always kind of|kind of |you know, |I mean, |um, |uh, )", re.IGNORECASE)


def edited_transcript(path: Path) -> str:
    """The edited version: Q:/A: labels instead of names and times, fillers removed."""
    turns = _turns(path)
    first = turns[0][0]
    lines = ["Interview with a peace officer (edited transcript)", ""]
    for speaker, text in turns:
        label = "Q" if speaker in (first, "JR") else "A"
        lines.append(f"{label}: {_FILLERS.sub('', text)}")
        lines.append("")
    return "\n".join(lines)


def captions(path: Path, words_per_cue: int = 9) -> str:
    """The captions: WebVTT cues of a few words each, no speaker labels."""
    cues, second = ["WEBVTT", ""], 0
    for _, text in _turns(path):
        words = text.split()
        for i in range(0, len(words), words_per_cue):
            start, end = second, second + 3
            cues += [f"00:{start // 60:02d}:{start % 60:02d}.000 --> 00:{end // 60:02d}:{end % 60:02d}.000", " ".join(words[i : i + words_per_cue]), ""]
            second = end
    return "\n".join(cues)


@pytest.mark.parametrize("form", ["edited.txt", "captions.vtt"])
def test_an_edited_transcript_and_captions_are_the_same_text(tmp_path, form):
    source = _by_name("34-")
    assert len(_turns(source)) >= 6
    out = tmp_path / f"peace-officer-{form}"
    out.write_text(edited_transcript(source) if form == "edited.txt" else captions(source), encoding="utf-8")
    copy = record_for(out)
    index = DuplicateIndex(tmp_path / "d.sqlite")
    for path in ALL_FILES:
        index.add(path.stem, _signature(path))
    found = index.candidates(signature_of(copy), DEFAULT_THRESHOLD)
    assert [rid for rid, _ in found] == [source.stem], (form, found, _exact_jaccard(copy, _original(str(source))))


def test_a_signature_set_finds_what_the_pairwise_estimate_finds() -> None:
    """SignatureSet (the signatures of one write, compared at once) agrees with Signature.jaccard,
    keeps its rows straight when records leave, and replaces a record's signature."""
    from oral_archive.archive.duplicates import SignatureSet

    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
    signatures = {}
    for number in range(40):
        values = base.copy()
        changed = rng.choice(NUM_PERM, size=int(rng.integers(0, NUM_PERM)), replace=False)
        values[changed] = rng.integers(0, 2**32, size=len(changed), dtype=np.uint64).astype(np.uint32)
        signatures[f"r{number}"] = Signature(values)
    held = SignatureSet()
    for record_id, signature in signatures.items():
        held.add(record_id, signature)
    for record_id in ("r3", "r0", "r39", "r17"):
        held.discard(record_id)
        del signatures[record_id]
    held.add("r5", signatures["r6"])  # a new version replaces the old signature
    signatures["r5"] = signatures["r6"]
    probe = Signature(base)
    expected = sorted((i, s.jaccard(probe)) for i, s in signatures.items() if s.jaccard(probe) >= 0.4)
    assert sorted(held.similar(probe, 0.4)) == expected and expected
    assert len(held) == len(signatures) and "r3" not in held and "r5" in held


def test_a_long_body_is_hashed_in_pieces_to_the_same_signature() -> None:
    """A body over LARGE_BODY characters is normalized and hashed a run of segments at a time
    (a 50 MB transcript's words all at once took gigabytes); the signature is the one the
    whole text gives, and MinHash updated a slice at a time equals one update."""
    import random as stdlib_random

    from oral_archive.archive import duplicates
    from oral_archive.schemas.record import Segment

    record = record_for(SEED_FILE)
    rng = stdlib_random.Random(5)
    vocabulary = sorted(set(SEED_FILE.read_text(encoding="utf-8").lower().split()))
    segments = [Segment(id=f"p{n}", kind="p", text=" ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 400))))
                for n in range(1, 4001)]
    long_record = record.model_copy(update={"segments": segments})
    body = sum(len(s.text) for s in segments)
    assert body > 1_000_000
    original = duplicates.LARGE_BODY
    try:
        duplicates.LARGE_BODY = 200_000  # four runs and more, without a 4 MB test body
        in_pieces = signature_of(long_record)
    finally:
        duplicates.LARGE_BODY = original
    whole = duplicates.signature_of_text(duplicates.shingle_text(long_record))
    assert in_pieces == whole and in_pieces.shingle_count == whole.shingle_count > 2 * duplicates.UPDATE_SLICE
    one_update = MinHash(seed=duplicates.SEED, permutations=duplicates._PERMUTATIONS, scheme=duplicates.SCHEME, hashfunc=lambda v: v)
    one_update.update_batch(duplicates.shingle_hashes(duplicates.shingle_text(long_record)).tolist())
    assert np.array_equal(one_update.hashvalues, whole.hashvalues)
