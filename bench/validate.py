"""Benchmark: full validation of ~3 KB records (all three layers), schemas loaded once.

Makes records with the real pipeline from the texts in ``seeds/`` and the dev corpus
(each text made ~3 KB by adding a paragraph of another, plus a timed transcript), then
validates them over and over as ``Archive.add`` does on ingest: pydantic model, the
oral-archive TEI subset (RELAX NG), Schematron pointers, TEI/JSON agreement and fixity.
Prints the schema load times, records/s and where the time goes per layer.

    .venv/bin/python bench/validate.py                  # ~3 s of validation
    .venv/bin/python bench/validate.py --seconds 10
    .venv/bin/python bench/validate.py --tei-all        # also time tei_all.rng (slow to load)

Target (issue 9): at least 200 records/s on one core. The figures depend on the machine
and on what else runs on it: ``uptime`` is printed next to them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from oral_archive.archive import validation
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.stages import prepare
from oral_archive.schemas import xmlschemas

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ORAL_ARCHIVE_SHARED", PROJECT.parent / "shared"))
SOURCE_FOLDERS = (PROJECT / "seeds", SHARED / "corpus-dev" / "files")
TARGET_BYTES = 3000
TRANSCRIPT_TURNS = [
    "Q: [00:{m:02d}:05] When did you start working at Mercy Hospital?",
    "SMITH: [00:{m:02d}:12] I have been a nurse since 1975. My mother said, \"You will love it.\" [laughs]",
    "Q: [00:{m:02d}:40] What was the hardest part of the work in those years?",
    "SMITH: [00:{m:02d}:52] Night shifts {{inaudible}} and the long walk home, but the people made it worth it.",
]


def texts() -> list[str]:
    """Real texts, each padded to about TARGET_BYTES with a paragraph of the next one."""
    originals = [p.read_text(encoding="utf-8") for folder in SOURCE_FOLDERS if folder.is_dir() for p in sorted(folder.glob("*.txt"))]
    if not originals:
        raise SystemExit(f"no source texts in {', '.join(map(str, SOURCE_FOLDERS))}")
    padded = []
    for i, text in enumerate(originals):
        filler = originals[(i + 1) % len(originals)].split("\n\n")
        extra = "\n\n".join(filler[1:])
        padded.append((text.rstrip() + "\n\n" + extra)[:TARGET_BYTES])
    transcript = "Oral History Interview with Jane Smith\nNursing\n\n" + "\n".join(
        turn.format(m=m) for m in range(12) for turn in TRANSCRIPT_TURNS
    )
    padded.append(transcript[:TARGET_BYTES].rsplit("\n", 1)[0] + "\n")
    return padded


def build_records(folder: Path) -> list[tuple[bytes, bytes, bytes]]:
    """(record JSON, TEI, original) of every text, made by the pipeline."""
    records = []
    for i, text in enumerate(texts()):
        path = folder / f"bench-{i:02d}.txt"
        path.write_text(text, encoding="utf-8")
        prepared = prepare(read_source(path))
        records.append((prepared.record.model_dump_json(indent=2).encode("utf-8"), prepared.tei, path.read_bytes()))
    return records


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to validate (default 3)")
    parser.add_argument("--tei-all", action="store_true", help="also load and time tei_all.rng")
    args = parser.parse_args()

    print(f"uptime: {os.popen('uptime').read().strip()}")
    subset_load, _ = timed(xmlschemas.tei_subset)
    schematron_load, _ = timed(xmlschemas.cross_references)
    print(f"load: TEI subset {subset_load * 1000:.1f} ms, Schematron {schematron_load * 1000:.1f} ms")

    with tempfile.TemporaryDirectory() as folder:
        records = build_records(Path(folder))
    sizes = [len(original) for _, _, original in records]
    tei_sizes = [len(tei) for _, tei, _ in records]
    print(f"records: {len(records)} distinct, originals {min(sizes)}-{max(sizes)} bytes (mean {sum(sizes) / len(sizes):.0f}), TEI mean {sum(tei_sizes) / len(tei_sizes):.0f} bytes")

    for record_json, tei, original in records:  # every bench record must be valid, or we time error paths
        problems = validation.validate_record(record_json, tei, original)
        if problems:
            raise SystemExit(f"a bench record is invalid: {problems[0]}")

    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for record_json, tei, original in records:
            validation.validate_record(record_json, tei, original, "subset")
        done += len(records)
    elapsed = time.perf_counter() - start
    rate = done / elapsed
    print(f"full validation (model + subset + Schematron + agreement + fixity): {done} records in {elapsed:.2f} s = {rate:.0f} records/s ({'meets' if rate >= 200 else 'BELOW'} the 200 records/s target)")

    # Where the time goes, layer by layer (parsing counted once, with the TEI layer).
    layers = {"model": 0.0, "parse+subset": 0.0, "schematron": 0.0, "agreement+fixity": 0.0}
    rounds = max(1, done // len(records) // 2)
    for _ in range(rounds):
        for record_json, tei, original in records:
            t, (record, _) = timed(validation.validate_model, record_json)
            layers["model"] += t
            t0 = time.perf_counter()
            tree, _ = validation.parse_tei(tei)
            validation.validate_tei_schema(tree, "subset")
            layers["parse+subset"] += time.perf_counter() - t0
            layers["schematron"] += timed(validation.validate_pointers, tree)[0]
            t0 = time.perf_counter()
            validation.validate_agreement(record, tree)
            validation.validate_fixity(record, original)
            layers["agreement+fixity"] += time.perf_counter() - t0
    count = rounds * len(records)
    print("per record: " + ", ".join(f"{name} {seconds / count * 1000:.2f} ms" for name, seconds in layers.items()))

    if args.tei_all:
        load, schema = timed(xmlschemas.tei_all)
        print(f"tei_all.rng: load {load:.1f} s")
        start = time.perf_counter()
        for record_json, tei, original in records:
            validation.validate_record(record_json, tei, original, "full")
        print(f"with tei_all: {len(records) / (time.perf_counter() - start):.0f} records/s (after loading)")


if __name__ == "__main__":
    main()
