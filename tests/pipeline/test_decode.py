"""Stage ``decode``: bytes in any encoding we receive -> NFC text with LF newlines."""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oral_archive.pipeline.decode import decode, looks_binary, normalize_text, read_source
from oral_archive.pipeline.document import Source
from oral_archive.pipeline.readers import FORMATS
from oral_archive.schemas.errors import SourceError

from ..conftest import FIXTURES

NORMALIZE = FIXTURES / "normalize"
HARBOUR = "Memories of the harbour\n\nFishing\n\nQ: When did you start fishing?\nA: In 1962, with my uncle Søren."


def source(data: bytes, name: str = "t.txt") -> Source:
    return Source(Path(name), data, hashlib.sha256(data).hexdigest(), "text/plain")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (HARBOUR.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + HARBOUR.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + HARBOUR.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + HARBOUR.encode("utf-16-be"), "utf-16"),
        (HARBOUR.encode("utf-16-le"), "utf_16_le"),  # no byte-order mark: detected
    ],
)
def test_unicode_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    decoded = decode(source(data))
    assert decoded.text == HARBOUR
    assert decoded.encoding == encoding
    assert "\ufeff" not in decoded.text


def test_utf16_fixture_files_with_and_without_bom() -> None:
    with_bom = decode(read_source(NORMALIZE / "utf16-bom.txt"))
    without = decode(read_source(NORMALIZE / "utf16-nobom.txt"))
    assert with_bom.text == without.text
    assert "uncle Søren." in with_bom.text and "— rain or shine." in with_bom.text


def test_cp1252_file_is_detected_as_western_not_another_code_page() -> None:
    decoded = decode(read_source(NORMALIZE / "cp1252.txt"))
    assert decoded.encoding == "cp1252"
    assert "the café." in decoded.text
    assert "“we bake everything before dawn”" in decoded.text  # 0x93/0x94 are curly quotes in cp1252
    assert "Her résumé" in decoded.text and "“naïve”" in decoded.text
    assert decoded.decisions[0].description.startswith("decoded 228 bytes as cp1252")


def test_latin1_bytes_decode() -> None:
    decoded = decode(source("Zürich im Winter.\nDie Straße war leer, sagte er.\n".encode("latin-1")))
    assert "Zürich" in decoded.text and "Straße" in decoded.text


def test_mojibake_is_repaired_and_the_repair_recorded() -> None:
    raw = (NORMALIZE / "mojibake.txt").read_text(encoding="utf-8")
    assert "Teacherâ€™s" in raw  # the fixture really is mojibake
    decoded = decode(read_source(NORMALIZE / "mojibake.txt"))
    assert decoded.text.startswith("The Teacher’s Story")
    assert "“always welcome”" in decoded.text and "café served crêpes" in decoded.text
    assert any("mojibake" in d.description for d in decoded.decisions)


def test_clean_text_records_no_mojibake_repair() -> None:
    decoded = decode(source("He said “yes” to the café.\n".encode()))
    assert not any("mojibake" in d.description for d in decoded.decisions)


def test_nfc_crlf_cr_and_line_separators() -> None:
    decoded = decode(source("Cafe\u0301 one\r\nline two\rline three\u2028four\n".encode()))
    assert decoded.text == "Café one\nline two\nline three\nfour\n"
    assert "\r" not in decoded.text


def test_xml_illegal_characters_are_removed_and_counted() -> None:
    decoded = decode(source("Bell\x07 and\x00 escape\x1b here.\x01\n".encode()))
    assert decoded.text == "Bell and escape here.\n"
    artifact = next(a for a in decoded.artifacts if a.kind == "xml-illegal-character")
    assert artifact.text == "U+0000, U+0001, U+0007, U+001B"
    assert any("removed 4 characters XML 1.0 forbids" in d.description for d in decoded.decisions)


def test_tabs_and_odd_spaces_fold_but_indentation_stays() -> None:
    text, _, _ = normalize_text("\tIndented\tline\u00a0with\u2009odd   spaces \n\u200bzero-width\u200b gone\n")
    assert text == " Indented line with odd spaces\nzero-width gone\n"


def test_form_feed_becomes_a_line_of_its_own() -> None:
    text, decisions, artifacts = normalize_text("end of one page\fstart of the next")
    assert text.split("\n") == ["end of one page", "\f", "start of the next"]
    assert not artifacts  # a page break is not an illegal character: clean records it
    assert "form feed" in decisions[0].description


@pytest.mark.parametrize("data", [b"", b"  \n\t\n", b"\x00\x01\x02\x03" * 50, bytes(range(256)) * 8])
def test_empty_and_binary_inputs_are_rejected_naming_the_file(data: bytes) -> None:
    with pytest.raises(SourceError) as error:
        decode(source(data, "tape.txt"))
    assert "tape.txt" in str(error.value)


def test_looks_binary_threshold() -> None:
    assert looks_binary("\x00\x01\x02\x03 text")
    assert not looks_binary("ordinary text with one \x07 bell in a long enough line of words")


def test_unknown_format_is_rejected_naming_the_file_and_the_known_types(tmp_path: Path) -> None:
    path = tmp_path / "interview.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(SourceError) as error:
        read_source(path)
    message = str(error.value)
    assert str(path) in message and "'.pdf'" in message and ".vtt" in message and ".docx" in message


def test_every_media_type_matches_the_record_pattern() -> None:
    for suffix, fmt in FORMATS.items():
        assert re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", fmt.media_type), suffix


def test_read_source_keeps_the_bytes_and_their_checksum() -> None:
    path = NORMALIZE / "cp1252.txt"
    src = read_source(path)
    assert src.data == path.read_bytes()
    assert src.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert src.media_type == "text/plain"



def _full_detection(data: bytes) -> tuple[str, str] | None:
    """Detection without the quick cp1252 probe: charset-normalizer over every code page,
    cp1252 preferred when its chaos is within the margin of the best reading's."""
    from charset_normalizer import from_bytes

    from oral_archive.pipeline.decode import _LEGACY_CHAOS_MARGIN

    matches = list(from_bytes(data))
    if not matches:
        return None
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= matches[0].chaos + _LEGACY_CHAOS_MARGIN:
            try:
                return data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                break
    return str(matches[0]), matches[0].encoding


OTHER_ENCODINGS = {
    "cp1251": "Интервью с пожарным из Москвы: он работал тридцать лет и помнит большой пожар 1972 года.",
    "cp1250": "Rozhovor s hasičem z Brna: pracoval třicet let, pamatuje si velký požár v roce 1972.",
    "cp1253": "Συνέντευξη με έναν πυροσβέστη από την Αθήνα: δούλεψε τριάντα χρόνια στην υπηρεσία.",
    "cp1255": "ראיון עם כבאי מתל אביב: הוא עבד שלושים שנה ושירת בתחנה המרכזית של העיר.",
    "mac_roman": "Interview with a fisherman from Québec; he said “we left at dawn” — every day.",
    "cp437": "Interview transcript ── Señor Peña, año 1962, ½ day shifts ░ end of tape.",
    "shift_jis": "消防士へのインタビュー。彼は三十年間働き、一九七二年の大火事を覚えている。",
    "gbk": "采访一位来自北京的消防员：他工作了三十年，记得一九七二年的大火。",
    "big5": "採訪一位來自台北的消防員：他工作了三十年，記得一九七二年的大火。",
    "euc_kr": "서울에서 온 소방관과의 인터뷰: 그는 삼십 년 동안 일했고 1972년의 큰 화재를 기억한다.",
}


@pytest.mark.parametrize("encoding", sorted(OTHER_ENCODINGS))
def test_quick_cp1252_probe_leaves_other_encodings_to_the_full_detection(encoding: str) -> None:
    """The probe takes bytes as cp1252 only when they read cleanly so: text in another
    code page gets the answer the full detection gives."""
    from oral_archive.pipeline.decode import _detect

    for repeat in (1, 4):
        encoded = ((OTHER_ENCODINGS[encoding] + "\n") * repeat).encode(encoding)
        assert _detect(encoded) == _full_detection(encoded), (encoding, repeat)


# Real sentences, as Western European and English transcripts write them. (Word salads
# dense with accents and stray quotes, "déjà’s — of’s “it”", read as mojibake to
# charset-normalizer's mess detector in about 1 case in 100 and come out as cp1257.)
WESTERN_SENTENCES = [
    "Il a travaillé à la boulangerie de sa mère pendant trente ans ; c’était « dur », dit-il.",
    "Er arbeitete dreißig Jahre bei der Feuerwehr in München. „Es war schwer“, sagte er.",
    "Später zog er nach Zürich, wo er Lehrer an einer Grundschule wurde.",
    "Trabajó treinta años en la panadería de su madre en Málaga. «Era duro», dijo.",
    "Su niñez fue difícil, según él, pero la familia siempre tuvo pan.",
    "Ele trabalhou trinta anos na padaria da mãe em São Paulo. “Era difícil”, disse.",
    "Han jobbet tretti år på bakeriet til moren i Tromsø. «Det var tøft», sa han.",
    "She said “déjà vu” when she saw the café on the Rue de l’Église again.",
    "It’s where her fiancé proposed in 1962 — she still keeps the menu.",
    "We worked nights at the station, and the harbour was quiet after ten.",
    "Q: When did you join the fire brigade? A: In 1962, with my uncle Søren.",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WESTERN_SENTENCES), min_size=1, max_size=8))
def test_western_text_in_cp1252_is_read_back_exactly(sentences) -> None:
    from oral_archive.pipeline.decode import _detect

    text = " ".join(sentences)
    encoded = text.encode("cp1252")
    assert _detect(encoded) == (text, "cp1252")


@pytest.mark.xfail(strict=True, reason="known limit: charset-normalizer's mess detector scores this cp1252 reading 0.103 (margin 0.1) and reads the bytes as cp1257")
def test_a_short_french_sentence_dense_in_accents_is_read_as_cp1252() -> None:
    from oral_archive.pipeline.decode import _detect

    text = "Déjà à l’âge de douze ans, il se levait à quatre heures pour aller à l’usine."
    assert _detect(text.encode("cp1252")) == (text, "cp1252")
