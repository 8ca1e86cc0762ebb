"""Search benchmark: our ``Archive.search`` against a bare Whoosh index of the same documents.

Usage::

    .venv/bin/python bench/search.py                 # 100,000 transcripts (measured: builds ~40 + 13 min,
                                                     # queries ~10 min, bare facet queries 15-40 s each)
    .venv/bin/python bench/search.py --docs 10000    # a smaller run
    .venv/bin/python bench/search.py --docs 10000 --keep /tmp/bench-search   # keep the indexes
    .venv/bin/python bench/search.py --reuse /tmp/bench-search             # time the queries again
    .venv/bin/python bench/search.py --docs 10000 --keep /tmp/next --bare-from /tmp/bench-search
                                                     # rebuild only our index (after a change to it)

Prints, for each side: index build time (docs/s), index size on disk, and the p50/p95
latency of the same 200 mixed queries (terms, phrases, field queries, numeric and date
ranges, facet counts), each returning the top 10 hits with highlighted snippets.

How the transcripts are generated (deterministic for a given ``--seed``):

* Words are drawn from the English frequency list of ``wordfreq`` (top 20,000 words,
  weighted by their frequency), so term statistics follow real English (Zipf): stop
  words are frequent, most words rare. Sentences are 6-24 words, capitalized, ended by
  ".", "?" or "!".
* Each transcript has an interviewer and an interviewee (participant ids ``sp-int`` and
  ``sp-<surname>``, labels such as ``Q`` / ``SMITH``, names drawn from name lists), a title
  ("Oral history interview with <name>, <role>"), and 12-40 speaker turns alternating
  between them: interviewer turns are one or two sentences (questions), interviewee
  turns two to eight sentences, until the text reaches about 3 KB. Half of the
  transcripts carry a time stamp on every turn (``MM:SS``, increasing), as a transcript
  made from a recording would.
* The interviewee has a role/occupation (40 occupations), an organization derived from
  role and place ("Denver Fire Department", "Lincoln High School"...), a place (60
  US/UK/Canadian cities), a tenure of 1-40 years (ISO 8601 ``P<n>Y``), 1-3 subjects from a
  list of 30, and an interview date between 1950 and 2020.
* Records are built as ``Record`` objects directly (no files, no pipeline) and indexed
  through ``SearchIndex.update`` in batches of 10,000 (``--batch``), one commit per
  batch: a bulk load. Smaller batches show the incremental path, where commits also
  merge segments (``TieredMerge``: about 12 ms per record merged, so ``--batch 1000``
  builds 100,000 records in roughly twice the time). The bare index gets the same
  batches and the same sorting-pool size (``limitmb``), with Whoosh's default merging. For
  ``Archive.search`` to see an up-to-date archive, an empty folder per record id is made
  under ``records/`` (the store is only counted, never read, by a search).

The bare Whoosh index holds the same documents with the same analyzer (stemming and
accent folding), stored ``content`` for highlighting, and the same field names, so the
difference between the two columns is our own layer: status check, speaker index
upkeep, per-segment snippets, typed results.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from whoosh import highlight, index as whoosh_index, qparser, sorting
from whoosh.analysis import STOP_WORDS
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.qparser.dateparse import DateParserPlugin

from oral_archive.archive import Archive
from oral_archive.archive.search.schema import exact_analyzer, text_analyzer
from oral_archive.archive.search.writer import WRITER_MEMORY_MB
from oral_archive.schemas.record import Fact, Person, Record, Segment, Source

OCCUPATIONS = [
    "police officer", "detective", "firefighter", "paramedic", "registered nurse", "surgeon", "teacher", "principal",
    "librarian", "archivist", "coal miner", "steelworker", "farmer", "fisherman", "truck driver", "bus driver",
    "railroad engineer", "machinist", "electrician", "carpenter", "plumber", "welder", "nurse midwife", "pharmacist",
    "social worker", "union organizer", "journalist", "editor", "photographer", "pastor", "rabbi", "judge", "lawyer",
    "mayor", "city clerk", "soldier", "sailor", "pilot", "air traffic controller", "postal worker",
]
ORGANIZATION_PATTERNS = {
    "police officer": "{place} Police Department", "detective": "{place} Police Department", "firefighter": "{place} Fire Department",
    "paramedic": "{place} Emergency Medical Services", "registered nurse": "{place} General Hospital", "surgeon": "{place} General Hospital",
    "teacher": "{place} High School", "principal": "{place} Elementary School", "librarian": "{place} Public Library",
    "coal miner": "{place} Coal Company", "steelworker": "{place} Steel Works", "judge": "{place} County Court",
}
PLACES = [
    "Denver", "Boston", "Chicago", "El Paso", "Vancouver", "Toronto", "Leeds", "Glasgow", "Cardiff", "Pittsburgh",
    "Detroit", "Cleveland", "Baltimore", "Atlanta", "Memphis", "Nashville", "Omaha", "Lincoln", "Tulsa", "Wichita",
    "Phoenix", "Tucson", "Albuquerque", "Santa Fe", "Sacramento", "Fresno", "Portland", "Seattle", "Spokane", "Boise",
    "Salt Lake City", "Cheyenne", "Billings", "Fargo", "Duluth", "Madison", "Milwaukee", "Des Moines", "St. Louis",
    "Kansas City", "Little Rock", "Jackson", "Birmingham", "Savannah", "Charleston", "Richmond", "Norfolk", "Newark",
    "Buffalo", "Albany", "Hartford", "Providence", "Burlington", "Manchester", "Liverpool", "Halifax", "Winnipeg",
    "Regina", "Calgary", "Montréal",
]
SUBJECTS = [
    "Law enforcement", "Labor unions", "Mining", "Education", "Nursing", "Public health", "Immigration", "Civil rights",
    "World War, 1939-1945", "Korean War", "Vietnam War", "Railroads", "Agriculture", "Fisheries", "Steel industry",
    "Women's work", "Religion", "Local government", "Journalism", "Floods", "Fires", "Housing", "Transportation",
    "Music", "Sports", "Family life", "Childhood", "Retirement", "Technology", "Disasters",
]
GIVEN = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David",
         "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "José", "María",
         "Chen", "Aisha", "Dmitri", "Siobhan", "Kwame", "Ingrid", "Hiroshi", "Fatima"]
SURNAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
            "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
            "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
            "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Fuchs",
            "O'Brien", "Kowalski", "Müller", "Novák"]
INTERVIEWERS = ["J.T. Curry", "P.D. Lagerquist", "Ann Howe", "Sam Ortiz", "Ruth Bell", "Omar Haddad"]
TARGET_CHARS = 3000
BATCH = 10_000  # a bulk load; --batch 1000 shows the incremental path (commits that merge segments)


class Vocabulary:
    """English words with their frequencies (wordfreq), for Zipf-like sampling."""

    def __init__(self, size: int = 20000) -> None:
        from wordfreq import top_n_list, word_frequency

        self.words = [w for w in top_n_list("en", size) if w.isalpha()]
        self.weights = [word_frequency(w, "en") for w in self.words]
        self.cumulative = []
        total = 0.0
        for weight in self.weights:
            total += weight
            self.cumulative.append(total)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def sentence(rng: random.Random, vocabulary: Vocabulary, question: bool = False) -> str:
    words = vocabulary.sample(rng, rng.randint(6, 24))
    words[0] = words[0].capitalize()
    words = [w if w != "i" else "I" for w in words]
    return " ".join(words) + ("?" if question else rng.choice(".....!"))


def make_record(number: int, rng: random.Random, vocabulary: Vocabulary, now: datetime) -> Record:
    """One synthetic transcript as a ``Record`` (see the module docstring for how)."""
    given, surname = rng.choice(GIVEN), rng.choice(SURNAMES)
    name = f"{given} {surname}"
    role = rng.choice(OCCUPATIONS)
    place = rng.choice(PLACES)
    organization = ORGANIZATION_PATTERNS.get(role, "{place} " + rng.choice(["Cooperative", "Company", "Union Local 12", "Council"])).format(place=place)
    tenure = rng.randint(1, 40)
    interviewer = rng.choice(INTERVIEWERS)
    supplied = {"origin": "supplied", "supplied_by": "bench/search.py"}
    slug_id = f"sp-{''.join(c for c in surname.lower() if c.isascii() and c.isalpha()) or 'x'}"
    participants = [
        Person(id="sp-int", role="interviewer", label="Q", name=Fact(value=interviewer, **supplied)),
        Person(id=slug_id, role="interviewee", label=surname.upper(), name=Fact(value=name, **supplied),
               occupation=Fact(value=role, **supplied), organization=Fact(value=organization, **supplied),
               place=Fact(value=place, **supplied), tenure=Fact(value=f"{tenure} years", normalized=f"P{tenure}Y", **supplied)),
    ]
    timed = rng.random() < 0.5
    seconds = 0
    segments = [Segment(id="h1", kind="head", text=f"Oral history interview with {name}, {role}")]
    length, turn = 0, 0
    while length < TARGET_CHARS or turn < 12:
        asking = turn % 2 == 0
        count = rng.randint(1, 2) if asking else rng.randint(2, 8)
        text = " ".join(sentence(rng, vocabulary, question=asking and i == count - 1) for i in range(count))
        start = f"{seconds // 60:02d}:{seconds % 60:02d}" if timed else None
        seconds += rng.randint(5, 90)
        turn += 1
        segments.append(Segment(id=f"u{turn}", kind="u", who="sp-int" if asking else slug_id, start=start, text=text))
        length += len(text)
        if turn >= 40:
            break
    full_text = "\n\n".join(s.text for s in segments)
    data = full_text.encode("utf-8")
    interview_date = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 70 * 365))
    return Record(
        id=f"bench-{number:06d}-{hashlib.sha1(data).hexdigest()[:8]}",
        version=1,
        title=Fact(value=f"Oral history interview with {name}, {role}", **supplied),
        subjects=[Fact(value=s, **supplied) for s in rng.sample(SUBJECTS, rng.randint(1, 3))],
        interview_date=Fact(value=interview_date.strftime("%B %d, %Y"), normalized=interview_date.date().isoformat(), **supplied),
        source=Source(filename=f"bench-{number}.txt", media_type="text/plain", sha256=hashlib.sha256(data).hexdigest(), size=len(data), encoding="utf-8"),
        ingested_at=now - timedelta(seconds=number),
        tool_version="bench",
        participants=participants,
        segments=segments,
    )


def records(count: int, seed: int):
    rng = random.Random(seed)
    vocabulary = Vocabulary()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for number in range(count):
        yield make_record(number, rng, vocabulary, now)


# -- the two indexes ------------------------------------------------------------------------
def bare_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text_analyzer(), stored=True),
        content=TEXT(analyzer=text_analyzer(), stored=True),
        role=TEXT(analyzer=exact_analyzer()),
        organization=TEXT(analyzer=exact_analyzer()),
        place=TEXT(analyzer=exact_analyzer()),
        subject=TEXT(analyzer=exact_analyzer()),
        role_facet=KEYWORD(sortable=True, commas=True),
        organization_facet=KEYWORD(sortable=True, commas=True),
        place_facet=KEYWORD(sortable=True, commas=True),
        subject_facet=KEYWORD(sortable=True, commas=True),
        tenure_years=NUMERIC(float, bits=64, stored=True),
        date=DATETIME(stored=True, sortable=True),
    )


def bare_document(record: Record) -> dict:
    person = record.person("interviewee")
    return {
        "id": record.id,
        "title": record.display_title,
        "content": record.full_text,
        "role": person.occupation.value,
        "organization": person.organization.value,
        "place": person.place.value,
        "subject": " ".join(s.value for s in record.subjects),
        "role_facet": person.occupation.value,
        "organization_facet": person.organization.value,
        "place_facet": person.place.value,
        "subject_facet": ",".join(s.value.replace(",", " ") for s in record.subjects),
        "tenure_years": float(person.tenure.normalized[1:-1]),
        "date": datetime.fromisoformat(record.interview_date.normalized),
    }


def build(count: int, seed: int, ours: Archive, bare_path: Path | None, batch_size: int = BATCH) -> dict[str, float]:
    """Index the same records on both sides, batch by batch; returns seconds spent on each.

    With ``bare_path`` None only our side is built (the bare index is reused).
    """
    bare = whoosh_index.create_in(str(bare_path), bare_schema()) if bare_path else None
    spent = {"ours": 0.0, "bare": 0.0}
    batch: list[Record] = []

    def flush() -> None:
        started = time.perf_counter()
        ours.index.update(batch)
        spent["ours"] += time.perf_counter() - started
        if bare is not None:
            started = time.perf_counter()
            writer = bare.writer(limitmb=WRITER_MEMORY_MB)
            for record in batch:
                writer.add_document(**bare_document(record))
            writer.commit()
            spent["bare"] += time.perf_counter() - started
        for record in batch:
            (ours.store.records_dir / record.id).mkdir()
        batch.clear()

    for number, record in enumerate(records(count, seed), 1):
        batch.append(record)
        if len(batch) == batch_size:
            flush()
            print(f"  indexed {number:,}/{count:,}", flush=True)
    if batch:
        flush()
    return spent


KINDS = ["term", "two", "phrase", "field", "range", "date", "or", "facet"]


def make_queries(seed: int, count: int = 200) -> list[tuple[str, bool]]:
    """(query, with facets) pairs: terms, phrases, fields, ranges and facet queries mixed.

    Query ``n`` is of kind ``KINDS[n % 8]``, so each kind is 1/8 of the mix.
    """
    rng = random.Random(seed + 1)
    vocabulary = Vocabulary()
    mid = [w for w in vocabulary.words[150:4000] if len(w) > 3]
    queries: list[tuple[str, bool]] = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        a, b = rng.choice(mid), rng.choice(mid)
        if kind == "term":
            queries.append((a, False))
        elif kind == "two":
            queries.append((f"{a} {b}", False))
        elif kind == "phrase":
            # Two adjacent words of a generated sentence (not stop words, which the
            # analyzer drops): the kind of phrase a reader remembers from a transcript.
            pairs: list[tuple[str, str]] = []
            while not pairs:
                words = sentence(rng, vocabulary).rstrip(".?!").lower().split()
                pairs = [(x, y) for x, y in zip(words, words[1:]) if x not in STOP_WORDS and y not in STOP_WORDS]
            queries.append(('"%s %s"' % rng.choice(pairs), False))
        elif kind == "field":
            queries.append((f'role:"{rng.choice(OCCUPATIONS)}" {a}', False))
        elif kind == "range":
            low = rng.randint(1, 30)
            queries.append((f"tenure_years:[{low} TO {low + rng.randint(2, 10)}] {a}", False))
        elif kind == "date":
            year = rng.randint(1950, 2010)
            queries.append((f"date:[{year} TO {year + 10}] AND {a}", False))
        elif kind == "or":
            queries.append((f"({a} OR {b}) AND place:{rng.choice(PLACES).split()[0].lower()}", False))
        else:
            queries.append((a, True))
    return queries


def time_ours(archive: Archive, queries, speaker: str | None = None) -> list[float]:
    timings = []
    for text, facets in queries:
        started = time.perf_counter()
        results = archive.search(text, limit=10, facets=facets, speaker=speaker)
        assert results.hits is not None
        timings.append(time.perf_counter() - started)
    return timings


def time_bare(path: Path, queries) -> list[float]:
    ix = whoosh_index.open_dir(str(path))
    searcher = ix.searcher()
    parser = qparser.MultifieldParser(["title", "content"], schema=ix.schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(DateParserPlugin())
    facet_map = {n: sorting.FieldFacet(f"{n}_facet", allow_overlap=n == "subject") for n in ("role", "organization", "place", "subject")}
    timings = []
    for text, facets in queries:
        started = time.perf_counter()
        results = searcher.search(parser.parse(text), limit=10, groupedby=facet_map if facets else None)
        len(results)  # the total number of hits, which any results page shows (ours reports it too)
        results.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=50)
        for hit in results:
            hit.highlights("content", top=3)
        if facets:
            for name in facet_map:
                results.groups(name)
        timings.append(time.perf_counter() - started)
    searcher.close()
    return timings


BUILD_FILE = "build.json"


def kept_build_times(root: Path) -> dict:
    """Build times (and --docs, --seed, --batch) saved by a --keep run; NaN times when unknown."""
    try:
        return json.loads((root / BUILD_FILE).read_text())
    except (OSError, ValueError):
        return {"ours": float("nan"), "bare": float("nan")}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.resolve().rglob("*") if p.is_file())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    """Build both indexes, run the queries on each, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="number of transcripts (default 100,000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=BATCH, help=f"records per commit (default {BATCH:,})")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary folder)")
    parser.add_argument("--reuse", type=Path, help="time the queries on indexes kept by an earlier --keep run (no build)")
    parser.add_argument(
        "--bare-from", type=Path,
        help="take the bare Whoosh index (and its build time) from an earlier --keep run of the same --docs, --seed and "
        "--batch instead of building it again: it does not change with our code",
    )
    parser.add_argument("--ours-only", action="store_true", help="with --reuse: time our side only (bare Whoosh's figures do not change with our code)")
    args = parser.parse_args()

    if args.bare_from:
        kept = kept_build_times(args.bare_from)
        if kept.get("docs") != args.docs or kept.get("seed") != args.seed or kept.get("batch") != args.batch:
            raise SystemExit(f"{args.bare_from} was built with other --docs/--seed/--batch: {kept}")
    root = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    if not args.reuse:
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} is not empty")
        root.mkdir(parents=True, exist_ok=True)
    try:
        archive = Archive(root / "archive", fsync=False)
        bare_path = root / "bare"
        if args.reuse:
            spent = kept_build_times(root)
            args.docs = archive.index.searcher().doc_count()
        else:
            if args.bare_from:
                # A link, so that --reuse of this folder finds its bare index too.
                bare_path.symlink_to((args.bare_from / "bare").resolve(), target_is_directory=True)
            else:
                bare_path.mkdir()
            print(f"building {args.docs:,} synthetic transcripts into {'our index' if args.bare_from else 'both indexes'} (batches of {args.batch:,})...", flush=True)
            spent = build(args.docs, args.seed, archive, None if args.bare_from else bare_path, args.batch)
            if args.bare_from:
                spent["bare"] = kept["bare"]
            (root / BUILD_FILE).write_text(json.dumps({**spent, "docs": args.docs, "seed": args.seed, "batch": args.batch}) + "\n")
        queries = make_queries(args.seed, args.queries)
        # Warm both sides alike (searcher opening, stem caches, OS file cache).
        time_ours(archive, queries[:20])
        if not args.ours_only:
            time_bare(bare_path, queries[:20])
        ours = time_ours(archive, queries)
        if args.ours_only:
            time_ours(archive, queries[:20], speaker="interviewee")  # warm the speakers index too
            spoken = time_ours(archive, queries[:50], speaker="interviewee")
            print(f"\n{args.docs:,} transcripts, {len(queries)} queries through Archive.search (bare Whoosh not timed)")
            print(f"p50 {percentile(ours, 0.5) * 1000:.1f} ms, p95 {percentile(ours, 0.95) * 1000:.1f} ms, mean {statistics.mean(ours) * 1000:.1f} ms")
            plain = [t for n, t in enumerate(ours) if KINDS[n % len(KINDS)] != "facet"]
            print(f"p95 without facets {percentile(plain, 0.95) * 1000:.1f} ms; by kind, p50 / p95 (ms):")
            for position, kind in enumerate(KINDS):
                print(f"  {kind:22}{percentile(ours[position :: len(KINDS)], 0.5) * 1000:>8.1f} /{percentile(ours[position :: len(KINDS)], 0.95) * 1000:>6.1f}")
            print(f"--speaker interviewee, {len(spoken)} queries: p50 {percentile(spoken, 0.5) * 1000:.1f} ms, p95 {percentile(spoken, 0.95) * 1000:.1f} ms")
            return
        bare = time_bare(bare_path, queries)
        # --speaker has no bare counterpart: timed on its own, over the same queries, after
        # the same warming (its own index, searcher and caches).
        time_ours(archive, queries[:20], speaker="interviewee")
        spoken = time_ours(archive, queries[:50], speaker="interviewee")
        sizes = {"ours": folder_size(archive.path / "index"), "bare": folder_size(bare_path)}
        print(f"\n{args.docs:,} transcripts, {len(queries)} queries (top 10 with snippets; 1 in 8 with facet counts)")
        print(f"{'':24}{'Archive.search':>16}{'bare Whoosh':>16}{'ratio':>8}")
        if not math.isnan(spent["ours"]):
            print(f"{'build time':24}{spent['ours']:>15.1f}s{spent['bare']:>15.1f}s{spent['ours'] / spent['bare']:>8.2f}")
            print(f"{'build rate (docs/s)':24}{args.docs / spent['ours']:>16.0f}{args.docs / spent['bare']:>16.0f}")
        print(f"{'index size (MB)':24}{sizes['ours'] / 1e6:>16.1f}{sizes['bare'] / 1e6:>16.1f}{sizes['ours'] / sizes['bare']:>8.2f}")
        for label, fraction in (("p50 latency (ms)", 0.5), ("p95 latency (ms)", 0.95)):
            a, b = percentile(ours, fraction) * 1000, percentile(bare, fraction) * 1000
            print(f"{label:24}{a:>16.1f}{b:>16.1f}{a / b:>8.2f}")
        print(f"{'mean latency (ms)':24}{statistics.mean(ours) * 1000:>16.1f}{statistics.mean(bare) * 1000:>16.1f}")
        plain_ours = [t for n, t in enumerate(ours) if KINDS[n % len(KINDS)] != "facet"]
        plain_bare = [t for n, t in enumerate(bare) if KINDS[n % len(KINDS)] != "facet"]
        # Bare Whoosh counts a multi-valued facet (subjects) by walking postings on every
        # query; without facet queries the comparison shows our own overhead alone.
        a, b = percentile(plain_ours, 0.95) * 1000, percentile(plain_bare, 0.95) * 1000
        print(f"{'p95 without facets (ms)':24}{a:>16.1f}{b:>16.1f}{a / b:>8.2f}")
        print("by kind, p50 / p95 (ms):   ours             bare")
        for position, kind in enumerate(KINDS):
            a, b = ours[position :: len(KINDS)], bare[position :: len(KINDS)]
            print(f"  {kind:22}{percentile(a, 0.5) * 1000:>8.1f} /{percentile(a, 0.95) * 1000:>6.1f}{percentile(b, 0.5) * 1000:>8.1f} /{percentile(b, 0.95) * 1000:>6.1f}")
        print(f"--speaker interviewee, {len(spoken)} queries: p50 {percentile(spoken, 0.5) * 1000:.1f} ms, p95 {percentile(spoken, 0.95) * 1000:.1f} ms (no bare equivalent)")
        print("targets: our p95 <= 1.2 x bare and < 100 ms")
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
