"""Hostile, huge and odd inputs: one bad file never takes the batch, the machine or the archive down.

Each input file succeeds or is rejected on its own with a one-line reason naming it
(quarantined when its bytes were read); nothing a file contains or is named can crash
the batch, reach outside the batch folder, or exhaust memory. Linearity is checked by
counting operations on large synthetic inputs, never by timing (bench/hostile_inputs.py
prints the times).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.archive.validation import validate_agreement
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.pipeline.cli.ingest_cmd import DEFAULT_MAX_SIZE, ByteSize
from oral_archive.pipeline.decode import DEFAULT_MAX_BYTES, InputRefused, read_source
from oral_archive.pipeline.readers import docx as docx_reader
from oral_archive.pipeline.readers import read_document
from oral_archive.schemas import xmlschemas
from oral_archive.schemas.errors import SourceError
from oral_archive.schemas.filenames import printable_name
from oral_archive.schemas.record import Record, Segment, Source as SourceInfo
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names (any bytes) and symbolic links")
NAMES = ["Alder", "Birch", "Cedar", "Damson", "Elder", "Fir", "Gorse", "Hazel", "Ivy", "Juniper", "Larch", "Maple"]


def transcript(number: int) -> bytes:
    """A small valid interview, different (title included) for every number."""
    name = f"{NAMES[number % len(NAMES)]} {NAMES[number // len(NAMES) % len(NAMES)]}"
    return (
        f"Interview with Ann {name}\n\n"
        f"Ann {name} worked as a nurse in Leeds for {number % 30 + 3} years. She liked the night shifts.\n\n"
        f"She retired in {1950 + number % 70}.\n"
    ).encode()


def fs_name(raw: bytes) -> Path:
    return Path(os.fsdecode(raw))


def stored_ok(archive: Archive, result) -> None:
    assert result.status == "ingested", result.reason
    assert archive.validate([result.record_id])[result.record_id] == []


# -- 1. linear time, and a size limit ------------------------------------------------------------


class CountingId(str):
    """A segment id that counts how often it is hashed or compared (the work a lookup does)."""

    operations = 0

    def __hash__(self) -> int:
        CountingId.operations += 1
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        CountingId.operations += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        CountingId.operations += 1
        return str.__ne__(self, other)


def _record_with_segments(count: int) -> Record:
    """A record of ``count`` segments built without validation, ids that count their use."""
    source = SourceInfo.model_construct(filename="long.txt", media_type="text/plain", sha256="0" * 64, size=1, encoding="utf-8", url=None, site=None, url_evidence=None)
    segments = [Segment.model_construct(id=CountingId(f"p{i}"), kind="p", who=None, start=None, text="text") for i in range(count)]
    return Record.model_construct(id="long-00000000", version=1, source=source, segments=segments, participants=[])


def _operations(function, count: int) -> int:
    record = _record_with_segments(count)
    CountingId.operations = 0
    function(record)
    return CountingId.operations


def test_record_model_checks_segment_ids_in_linear_operations() -> None:
    """``Record._references_resolve`` looked each id up among the ones before it: n²/2 comparisons."""
    small, large = _operations(Record._references_resolve, 500), _operations(Record._references_resolve, 2000)
    assert large <= 4 * 2000, large  # a few operations per segment
    assert large / small < 5, (small, large)  # x4 segments, about x4 work (quadratic: x16)


def _tei_with_segments(count: int) -> etree._ElementTree:
    body = "".join(f'<p xml:id="p{i}">text</p>' for i in range(count))
    return etree.fromstring(f'<TEI xmlns="{TEI_NS}"><teiHeader/><text><body>{body}</body></text></TEI>').getroottree()


def test_tei_json_agreement_is_checked_in_linear_operations() -> None:
    """``validate_agreement`` rebuilt a set of the JSON ids for every TEI id: n² hashes."""
    trees = {500: _tei_with_segments(500), 2000: _tei_with_segments(2000)}
    small = _operations(lambda record: validate_agreement(record, trees[500]), 500)
    large = _operations(lambda record: validate_agreement(record, trees[2000]), 2000)
    assert large <= 8 * 2000, large
    assert large / small < 5, (small, large)


def test_the_schematron_rule_context_has_no_predicate() -> None:
    """libxslt matches a pattern with a predicate (``*[@who or ...]``) by scanning the element's
    siblings, which made the pointer check quadratic in the number of utterances (minutes for a
    transcript of a few MB; bench/hostile_inputs.py shows it). Each assert tests its attribute."""
    schema = etree.parse(str(xmlschemas.CROSS_REFERENCES_SCH))
    contexts = schema.xpath("//sch:rule/@context", namespaces={"sch": "http://purl.oclc.org/dsdl/schematron"})
    assert contexts and all("[" not in context for context in contexts), contexts


def test_a_file_over_the_size_limit_is_refused_unread_and_the_batch_goes_on(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a-good.txt").write_bytes(transcript(1))
    with (batch / "b-huge.txt").open("wb") as out:
        out.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: nothing written, and it must not be read either
    archive = Archive(tmp_path / "archive")
    report = ingest([batch], archive)
    good, huge = report.results
    stored_ok(archive, good)
    assert huge.status == "rejected" and huge.quarantined is None
    assert huge.reason == f"{batch / 'b-huge.txt'}: is 50 MB ({DEFAULT_MAX_BYTES + 1:,} bytes), over the size limit of 50 MB; not read (raise the limit with --max-size)"
    assert archive.quarantined() == []


def test_the_size_limit_is_configurable_in_the_library_and_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "interview.txt"
    path.write_bytes(transcript(2))
    with pytest.raises(InputRefused, match=r"interview.txt: is 1\d\d bytes, over the size limit of 100 bytes; not read"):
        read_source(path, max_bytes=100)
    assert read_source(path, max_bytes=None).data == transcript(2)
    report = ingest([path], Archive(tmp_path / "a1"), max_bytes=100)
    assert report.counts["rejected"] == 1
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "a2"), "ingest", str(path), "--max-size", "0.1kb"])
    assert result.exit_code == 1 and "over the size limit of 100 bytes" in result.output
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "a3"), "ingest", str(path)], env={"ORAL_ARCHIVE_MAX_SIZE": "1MB"})
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "a4"), "ingest", str(path), "--max-size", "lots"])
    assert result.exit_code == 2 and "is not a size" in result.output
    assert ByteSize().convert(DEFAULT_MAX_SIZE, None, None) == DEFAULT_MAX_BYTES  # the CLI's default is the library's


def test_a_folder_of_large_files_is_not_read_into_memory_all_at_once(tmp_path: Path) -> None:
    """Inputs are read in groups of 32 files, and of no more bytes than the read-ahead budget."""
    from oral_archive.pipeline.document import Source

    ingest_module = importlib.import_module("oral_archive.pipeline.ingest")
    reads: list[Path] = []

    def read(path: Path) -> Source:
        reads.append(path)
        data = transcript(len(reads)) + b"x" * 1000
        return Source(path=path, data=data, sha256=f"{len(reads):064x}", media_type="text/plain")

    files = [tmp_path / f"{number:02d}.txt" for number in range(20)]
    outcomes = ingest_module._outcomes(files, {}, Archive(tmp_path / "archive"), None, ahead_bytes=2_000, read=read)
    next(outcomes)
    assert len(reads) <= 4, reads  # two groups of two files (one stored while the next is read), not all 20


@POSIX_ONLY
def test_a_pipe_is_refused_not_read(tmp_path: Path) -> None:
    """Reading a named pipe would wait forever for a writer."""
    fifo = tmp_path / "batch" / "stream.txt"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    (tmp_path / "batch" / "good.txt").write_bytes(transcript(3))
    report = ingest([tmp_path / "batch"], Archive(tmp_path / "archive"))
    assert [r.status for r in report.results] == ["ingested", "rejected"]
    assert "is not a regular file" in report.results[1].reason
    with pytest.raises(InputRefused, match="not a regular file"):
        read_source(fifo)  # named explicitly: still never blocks


# -- 2 and 3. file names with undecodable bytes, tabs and newlines --------------------------------


@POSIX_ONLY
def test_a_file_name_that_is_not_utf8_never_aborts_the_batch(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    names = [b"a-good.txt", b"b-bad\xff-name.txt", b"c-bad\xe9.txt", b"d-good.txt", b"e-binary\xfe.txt", b"f-good.txt"]
    for number, raw in enumerate(names):
        (batch / fs_name(raw)).write_bytes(b"\x00\x01\x02" * 50 if b"binary" in raw else transcript(number))
    archive = Archive(tmp_path / "archive")
    report = ingest([batch], archive)
    by_name = {os.fsencode(r.path.name): r for r in report.results}
    for raw in names:
        result = by_name[raw]
        if b"binary" in raw:
            assert result.status == "rejected" and result.quarantined is not None
            assert result.reason.startswith(f"{batch}/e-binary\\xfe.txt: ")
            info = json.loads((result.quarantined / "reason.json").read_text(encoding="utf-8"))
            assert info["file"] == "e-binary\\xfe.txt"
            (result.quarantined / "reason.txt").read_text(encoding="utf-8")  # plain UTF-8
        else:
            stored_ok(archive, result)
            assert archive.get(result.record_id).source.filename == printable_name(os.fsdecode(raw))
    assert archive.get(by_name[b"b-bad\xff-name.txt"].record_id).source.filename == "b-bad\\xff-name.txt"
    assert not list((archive.path / "quarantine").glob(".tmp-*"))


@POSIX_ONLY
@pytest.mark.parametrize("raw", [b"tab\there.txt", b"new\nline.txt", b"carriage\rreturn.txt", b"  two  spaces .txt", b"escape\x1b[31mred.txt", b"nbsp\xc2\xa0space.txt"])
def test_a_control_character_in_a_file_name_does_not_reject_a_valid_transcript(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / fs_name(raw)
    path.write_bytes(transcript(4))
    archive = Archive(tmp_path / "archive")
    (result,) = ingest([path], archive).results
    stored_ok(archive, result)
    record = archive.get(result.record_id)
    assert record.source.filename == printable_name(os.fsdecode(raw)).strip()
    assert "\n" not in record.source.filename and "\t" not in record.source.filename
    tei = etree.fromstring(archive.tei(result.record_id))
    assert tei.findtext(f".//{{{TEI_NS}}}idno[@type='filename']") == record.source.filename


@POSIX_ONLY
def test_the_quarantine_listing_stays_one_entry_per_line_pair(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for number, raw in enumerate([b"bad\nname.txt", b"bad\tname.pdf", b"bad\xffname.txt", b"bad\r\nname.vtt"]):
        (batch / fs_name(raw)).write_bytes(b"\x00\x01" * 40 + bytes([number]))
    archive_path = tmp_path / "archive"
    ingest([batch], Archive(archive_path))
    output = CliRunner().invoke(main, ["--archive", str(archive_path), "quarantine"]).output
    lines = output.splitlines()
    assert lines[-1] == "4 quarantined"
    assert len(lines) == 2 * 4 + 1, output  # the folder, then "file: reason", per entry
    assert all(line.startswith("  bad\\") for line in lines[1:-1:2]), output


# -- 4. links in a batch folder -------------------------------------------------------------------


@POSIX_ONLY
def test_links_in_a_batch_folder_are_refused_with_a_message(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_bytes(transcript(5))
    batch = tmp_path / "batch"
    (batch / "sub").mkdir(parents=True)
    (batch / "good.txt").write_bytes(transcript(6))
    (batch / "to-outside.txt").symlink_to(outside)
    (batch / "to-inside.txt").symlink_to(batch / "good.txt")
    (batch / "to-folder").symlink_to(tmp_path)
    (batch / "dangling.txt").symlink_to(tmp_path / "nothing-here.txt")
    archive = Archive(tmp_path / "archive")
    report = ingest([batch], archive)
    results = {r.path.name: r for r in report.results}
    stored_ok(archive, results.pop("good.txt"))
    assert sorted(results) == ["dangling.txt", "to-folder", "to-inside.txt", "to-outside.txt"]
    for result in results.values():
        assert result.status == "rejected" and result.quarantined is None
        assert "is a symbolic link" in result.reason and "not followed" in result.reason
    assert len(archive.ids()) == 1 and archive.quarantined() == []
    # a link the caller names is what the caller asked for: it is followed
    (named,) = ingest([batch / "to-outside.txt"], archive).results
    assert named.status == "ingested"


# -- 5. zip bombs ---------------------------------------------------------------------------------


class _Bits:
    """A deflate bit stream: fields least significant bit first, Huffman codes most significant first."""

    def __init__(self) -> None:
        self.out, self.value, self.count = bytearray(), 0, 0

    def field(self, value: int, count: int) -> None:
        self.value |= value << self.count
        self.count += count
        while self.count >= 8:
            self.out.append(self.value & 0xFF)
            self.value >>= 8
            self.count -= 8

    def code(self, value: int, length: int) -> None:
        self.field(int(f"{value:0{length}b}"[::-1], 2), length)


def _deflate_repeated(byte: int, size: int) -> tuple[bytes, int]:
    """A raw deflate stream of about ``size`` copies of ``byte``, built in no time.

    Fixed Huffman codes: one literal, then matches of length 258 at distance 1 (13 bits
    each); 8 matches are 13 whole bytes, so the stream is a short head, one 13-byte period
    repeated, and a tail. Returns (stream, inflated size).
    """
    units = max(2, size // 2064)
    bits = _Bits()
    bits.field(1, 1)  # the last block
    bits.field(1, 2)  # fixed Huffman codes
    bits.code(0x30 + byte, 8)  # the literal (byte < 144)

    def matches() -> None:
        for _ in range(8):
            bits.code(0b11000101, 8)  # length 258
            bits.code(0, 5)  # distance 1
    matches()
    start = len(bits.out)
    matches()
    period = bytes(bits.out[start:])
    bits.code(0, 7)  # end of block
    bits.field(0, 7)  # to a byte boundary
    return bytes(bits.out[:start]) + period * (units - 1) + bytes(bits.out[start + 13:]), 1 + 2064 * units


def zip_bomb_docx(path: Path, inflated: int, declared: int | None = None) -> Path:
    """A real .docx whose main part inflates to ``inflated`` bytes (declaring ``declared``)."""
    base = io.BytesIO()
    docx.Document().save(base)
    local, central = bytearray(), bytearray()
    with zipfile.ZipFile(base) as package:
        for info in package.infolist():
            name = info.filename.encode()
            if info.filename == "word/document.xml":
                data, size = _deflate_repeated(ord("a"), inflated)
                method, crc, size = 8, 0, size if declared is None else declared
            else:
                data = package.read(info.filename)
                method, crc, size = 0, zipfile.crc32(data), len(data)
            offset = len(local)
            local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(name), 0) + name + data
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(name), 0, 0, 0, 0, 0, offset) + name
        count = len(package.infolist())
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def test_a_zip_bomb_docx_is_rejected_from_its_declared_size_before_inflating(tmp_path: Path) -> None:
    bomb = zip_bomb_docx(tmp_path / "bomb.docx", 2_000_000_000)
    assert bomb.stat().st_size < 20_000_000
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match=r"bomb.docx: is not a valid .docx file: its part word/document.xml declares 1,99\d,\d{3},\d{3} bytes inflated, over the limit of 100,000,000 \(a zip bomb\?\)"):
            read_document(read_source(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * bomb.stat().st_size + 10_000_000, peak


def test_a_docx_that_inflates_past_what_it_declares_is_stopped(tmp_path: Path) -> None:
    liar = zip_bomb_docx(tmp_path / "liar.docx", 500_000_000, declared=5_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="liar.docx: is not a valid .docx file: its part word/document.xml"):
            read_document(read_source(liar))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * liar.stat().st_size + 2 * docx_reader.MAX_PART_BYTES // 10, peak


def test_too_many_zip_entries_are_refused_before_the_zip_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as package:
        for number in range(docx_reader.MAX_ENTRIES + 1):
            package.writestr(f"e{number}", b"")
    with pytest.raises(SourceError, match="many.docx: is not a valid .docx file: its package holds about 10,001 entries"):
        read_document(read_source(path))


_UNDER_A_MEMORY_LIMIT = textwrap.dedent("""
    import json, resource, sys
    from oral_archive.archive import Archive
    from oral_archive.pipeline import ingest
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    report = ingest([sys.argv[1]], Archive(sys.argv[2], fsync=False))
    print(json.dumps([[r.path.name, r.status, r.reason, bool(r.quarantined)] for r in report.results]))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as on Linux")
def test_under_a_memory_limit_a_zip_bomb_is_quarantined_and_the_good_files_stored(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    zip_bomb_docx(batch / "a-bomb.docx", 2_000_000_000)
    (batch / "b-good.txt").write_bytes(transcript(7))
    (batch / "c-good.txt").write_bytes(transcript(8))
    done = subprocess.run(
        [sys.executable, "-c", _UNDER_A_MEMORY_LIMIT, str(batch), str(tmp_path / "archive"), str(1_500_000_000)],
        capture_output=True, text=True, env={**os.environ, "ORAL_ARCHIVE_NLP": "off"}, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    bomb, *good = json.loads(done.stdout.splitlines()[-1])
    assert bomb[1] == "rejected" and bomb[3], bomb
    assert "a zip bomb?" in bomb[2], bomb
    assert [g[1] for g in good] == ["ingested", "ingested"], good


def test_running_out_of_memory_on_one_file_rejects_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_module = importlib.import_module("oral_archive.pipeline.ingest")  # the package exports the function
    real_prepare = ingest_module.prepare

    def prepare_or_run_out(source, *args, **kwargs):
        if source.path.name == "b-greedy.txt":
            raise MemoryError()
        return real_prepare(source, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "prepare", prepare_or_run_out)
    for number, name in enumerate(["a-good.txt", "b-greedy.txt", "c-good.txt"]):
        (tmp_path / name).write_bytes(transcript(10 + number))
    archive = Archive(tmp_path / "archive")
    report = ingest(sorted(tmp_path.glob("*.txt")), archive)
    assert [r.status for r in report.results] == ["ingested", "rejected", "ingested"]
    assert "b-greedy.txt: ran out of memory while preparing its record" in report.results[1].reason
    assert report.results[1].quarantined is not None


# -- the principle, with generated names: every good file stored, every other one refused -----------


_NAME_BYTES = st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\x00" not in b and not b.startswith(b"."))
_ROLES = st.sampled_from(["good", "good", "binary", "empty", "unknown-type", "link-inside", "link-outside"])


@POSIX_ONLY
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(entries=st.lists(st.tuples(_NAME_BYTES, _ROLES), min_size=1, max_size=6, unique_by=lambda entry: entry[0]))
def test_batches_with_any_file_names_store_every_good_file_and_refuse_the_rest_with_a_message(entries: list[tuple[bytes, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        batch = root / "batch"
        batch.mkdir()
        outside = root / "outside.txt"
        outside.write_bytes(transcript(99))
        roles: dict[bytes, str] = {}
        for number, (stem, role) in enumerate(entries):
            raw = stem + (b".pdf" if role == "unknown-type" else b".txt")
            path = batch / fs_name(raw)
            try:
                if role == "good":
                    path.write_bytes(transcript(number))
                elif role == "binary":
                    path.write_bytes(b"\x00\x01\x02\x03" * 30 + bytes([number]))
                elif role == "empty":
                    path.write_bytes(b"")
                elif role == "unknown-type":
                    path.write_bytes(transcript(number))
                elif role == "link-inside":
                    target = batch / "target-of-links.txt"
                    if not target.exists():
                        target.write_bytes(transcript(98))
                        roles[b"target-of-links.txt"] = "good"
                    path.symlink_to(target)
                else:
                    path.symlink_to(outside)
            except OSError:  # a name this file system does not take (too long in bytes, ...)
                reject()
            roles[raw] = role
        archive = Archive(root / "archive")
        report = ingest([batch], archive)
        results = {os.fsencode(r.path.name): r for r in report.results}
        assert sorted(results) == sorted(roles)
        for raw, role in roles.items():
            result = results[raw]
            shown = printable_name(os.fsdecode(raw))
            assert result.reason is None or ("\n" not in result.reason and result.reason.startswith(f"{batch}/{shown}: ")), result.reason
            if role == "good":
                assert result.status == "ingested", result.reason
                assert archive.get(result.record_id).source.filename == shown.strip()
            elif role.startswith("link"):
                assert result.status == "rejected" and result.quarantined is None and "symbolic link" in result.reason
            else:
                assert result.status == "rejected" and result.quarantined is not None, result
                assert json.loads((result.quarantined / "reason.json").read_text(encoding="utf-8"))["file"] == shown
        problems = archive.validate()
        assert all(found == [] for found in problems.values()), problems
        assert all("\n" not in entry["file"] + entry["reason"] for entry in archive.quarantined())
        assert not list(archive.path.glob("*/.tmp-*")) and not list(archive.path.glob("records/*/.tmp-*"))
        assert outside.read_bytes() == transcript(99)
