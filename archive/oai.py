"""OAI-PMH 2.0 data provider over an ``Archive``: what a harvester asks, answered as XML.

``OaiRepository(archive, base_url).respond(args)`` takes the request's arguments as a
multi-dict (``{"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"]}``, GET and POST
alike) and returns a complete OAI-PMH document, valid against ``OAI-PMH.xsd``; protocol
errors are ``<error>`` elements in it, as the protocol wants (the HTTP status stays 200).
The web layer only moves bytes; docs/oai-pmh.md describes the behaviour for harvesters.

Items are the records (latest version of each); the datestamp of an item is its latest
version's ``ingested_at``. Lists are ordered by (datestamp, record id) and a resumption
token remembers the last (datestamp, id) sent, not an offset: a record ingested during a
harvest gets a newer datestamp and joins the end of the list, so no page shifts. Sets
are the records' collections. Restricted fields are withheld by the same ``Redactor``
the exports use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Mapping, Sequence

from lxml import etree
from lxml.builder import ElementMaker

from oral_archive.schemas.errors import ArchiveError
from oral_archive.schemas.record import RECORD_ID_PATTERN, Record
from oral_archive.schemas.xmlschemas import MODS_NS, OAI_DC_NS, XSI_NS

from .core import Archive
from .export import (
    MODS_LOCATION,
    OAI_LOCATION,
    OAI_NS,
    Redactor,
    mods_element,
    oai_dc_element,
    oai_identifier,
)

OAI = ElementMaker(namespace=OAI_NS, nsmap={None: OAI_NS})
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DEFAULT_PAGE_SIZE = 100
IDENTIFIER_PREFIX = oai_identifier("")  # "oai:oral-archive:"

# Which arguments each verb takes (besides ``verb``); ``resumptionToken`` is exclusive.
REQUIRED: dict[str, tuple[str, ...]] = {
    "Identify": (), "ListMetadataFormats": (), "ListSets": (),
    "GetRecord": ("identifier", "metadataPrefix"),
    "ListIdentifiers": ("metadataPrefix",), "ListRecords": ("metadataPrefix",),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "Identify": (), "ListMetadataFormats": ("identifier",), "ListSets": ("resumptionToken",),
    "GetRecord": (),
    "ListIdentifiers": ("from", "until", "set", "resumptionToken"),
    "ListRecords": ("from", "until", "set", "resumptionToken"),
}
# The protocol's own grammar for these values (OAI-PMH.xsd): anything else is illegal.
METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z")
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*\Z")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
# An identifier is echoed in <request> only when it is surely an xs:anyURI (scheme, then
# plain URI characters); an odd one is still answered, with idDoesNotExist, just not echoed.
PLAIN_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?@!$&'()*+,;=]*\Z")
EMAIL = re.compile(r"\S+@(\S+\.)+\S+\Z")
# Characters XML 1.0 cannot carry: a value holding one can be neither echoed nor quoted.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_TOKEN_LENGTH = 2048


class OaiError(Exception):
    """One or more protocol errors (``code``, message); ``echo`` is False for badVerb/badArgument."""

    def __init__(self, *errors: tuple[str, str]) -> None:
        self.errors = list(errors)
        # Per the spec, a badVerb or badArgument response echoes the base URL only.
        self.echo = not any(code in ("badVerb", "badArgument") for code, _ in errors)
        super().__init__("; ".join(f"{code}: {message}" for code, message in errors))


@dataclass(frozen=True)
class MetadataFormat:
    """A format the repository disseminates: prefix, schema, namespace and its builder.

    ``disseminates`` says whether one record can be had in this format (every record can
    in oai_dc and mods); a format that excludes some records is what makes
    ``noMetadataFormats`` and ``cannotDisseminateFormat`` item-specific answers.
    """

    prefix: str
    schema: str
    namespace: str
    build: Callable[[Record, Redactor], etree._Element]
    disseminates: Callable[[Record], bool] = lambda record: True


def _mods(record: Record, redactor: Redactor) -> etree._Element:
    element = mods_element(record, redactor)
    # A record's metadata root should say where its schema is (the protocol's advice).
    element.set(f"{{{XSI_NS}}}schemaLocation", MODS_LOCATION)
    return element


DEFAULT_FORMATS: tuple[MetadataFormat, ...] = (
    MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS, oai_dc_element),
    MetadataFormat("mods", "http://www.loc.gov/standards/mods/v3/mods-3-7.xsd", MODS_NS, _mods),
)


@dataclass(frozen=True)
class Tombstone:
    """A withdrawn record as deleted-record support will list it (see ``OaiRepository``)."""

    record_id: str
    datestamp: datetime  # when it was withdrawn
    set_specs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """What a list needs to know of one item, without its metadata (cheap to keep)."""

    record_id: str
    version: int
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ: sorts as text in time order
    set_specs: tuple[str, ...]
    prefixes: frozenset[str]
    set_names: tuple[str, ...] = ()
    deleted: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """The list order, also what a resumption token remembers."""
        return (self.datestamp, self.record_id)


@dataclass(frozen=True)
class Query:
    """A list request with its place in the list: from a request's arguments or a token."""

    verb: str
    prefix: str
    start: str | None = None  # inclusive datestamp bounds derived from from/until
    end: str | None = None
    given_from: str | None = None
    given_until: str | None = None
    set_spec: str | None = None
    after: tuple[str, str] | None = None  # key of the last item sent
    cursor: int = 0  # items sent before this page

    def matches(self, item: Item) -> bool:
        if self.prefix not in item.prefixes and not item.deleted:
            return False
        if (self.start and item.datestamp < self.start) or (self.end and item.datestamp > self.end):
            return False
        if self.set_spec and not any(s == self.set_spec or s.startswith(self.set_spec + ":") for s in item.set_specs):
            return False
        return self.after is None or item.key > self.after


def datestamp(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC (a naive time is taken as UTC, as the exports do)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_spec_of(collection: str) -> str:
    """The setSpec of a collection name: an ASCII slug, or a digest when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", collection).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:64].rstrip("-")
    return slug or "collection-" + hashlib.sha256(collection.encode("utf-8")).hexdigest()[:8]


def _quote(value: str) -> str:
    """A request value fit to quote in an error message (XML-safe, short)."""
    text = repr(value if len(value) <= 80 else value[:80] + "...")
    return NOT_XML.sub("?", text)


def parse_bounds(given_from: str | None, given_until: str | None) -> tuple[str | None, str | None]:
    """Inclusive datestamp bounds of from/until, raising badArgument for a bad pair.

    Both granularities are accepted; a day bound covers the whole day. Mixing the two
    granularities, or from later than until, is badArgument, as the protocol says.
    """
    bounds: list[str | None] = []
    for name, value, time_of_day in (("from", given_from, "T00:00:00Z"), ("until", given_until, "T23:59:59Z")):
        if value is None:
            bounds.append(None)
            continue
        try:
            if DAY.match(value):
                datetime.strptime(value, "%Y-%m-%d")
                bounds.append(value + time_of_day)
            elif SECOND.match(value):
                datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
                bounds.append(value)
            else:
                raise ValueError
        except ValueError:
            raise OaiError(("badArgument", f"{name} {_quote(value)} is not a date YYYY-MM-DD or a time {GRANULARITY}")) from None
    if given_from and given_until and len(given_from) != len(given_until):
        raise OaiError(("badArgument", "from and until must have the same granularity"))
    if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
        raise OaiError(("badArgument", "from is later than until"))
    return bounds[0], bounds[1]


class OaiRepository:
    """An OAI-PMH 2.0 repository answering for one archive; ``respond`` is the whole interface.

    ``page_size`` items per list response; ``tombstones`` is the hook for deleted records
    (below); ``token_key`` signs resumption tokens (default: derived from ``base_url``, so
    a token of another repository, or an edited one, is refused as badResumptionToken).
    """

    def __init__(
        self,
        archive: Archive,
        base_url: str,
        *,
        repository_name: str = "oral-archive",
        admin_emails: Sequence[str] = ("archivist@example.org",),
        page_size: int = DEFAULT_PAGE_SIZE,
        formats: Sequence[MetadataFormat] = DEFAULT_FORMATS,
        tombstones: Callable[[], Iterable[Tombstone]] | None = None,
        token_key: bytes | None = None,
    ) -> None:
        if not PLAIN_URI.match(base_url):
            raise ValueError(f"base_url {base_url!r} is not a plain absolute URI")
        if not admin_emails or not all(EMAIL.match(e) for e in admin_emails):
            raise ValueError(f"admin_emails {list(admin_emails)!r}: give at least one e-mail address")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.archive = archive
        self.base_url = base_url
        self.repository_name = repository_name
        self.admin_emails = tuple(admin_emails)
        self.page_size = page_size
        self.formats = {f.prefix: f for f in formats}
        # Deleted records: by default the archive's own tombstones (records withdrawn or
        # purged by an archivist, ``Archive.withdraw``), kept for good, so the policy is
        # "persistent": every list shows them as <header status="deleted"> without
        # metadata, with the withdrawal as datestamp (and GetRecord likewise).
        self.tombstones = tombstones if tombstones is not None else self._archive_tombstones
        self.token_key = token_key or hashlib.sha256(b"oral-archive OAI-PMH " + base_url.encode("utf-8")).digest()
        # record id -> Item of its latest version. Versions never change once stored, so an
        # entry stays right until a newer version appears; a scan then lists each record's
        # versions (a directory listing) and reads only records that are new or changed.
        self._items: dict[str, Item] = {}
        self._verbs: dict[str, Callable[[str, dict[str, str]], etree._Element]] = {
            "Identify": self._identify, "ListMetadataFormats": self._list_metadata_formats, "ListSets": self._list_sets,
            "GetRecord": self._get_record, "ListIdentifiers": self._list_identifiers, "ListRecords": self._list_records,
        }

    def _archive_tombstones(self) -> list[Tombstone]:
        return [Tombstone(stone.record_id, stone.withdrawn_at) for stone in self.archive.tombstones()]

    @property
    def deleted_record(self) -> str:
        """The deletedRecord policy stated in Identify: tombstones are kept for good."""
        return "persistent"

    # -- the one entry point -------------------------------------------------------------
    def respond(self, args: Mapping[str, Sequence[str] | str]) -> bytes:
        """The OAI-PMH response document (UTF-8 bytes) to a request's arguments.

        ``args`` maps each argument name to its values, as a query string or form body
        parses (a plain string counts as one value). Every protocol error is an
        ``<error>`` in the document; only a fault of the archive itself (an unreadable
        records folder) raises, which a web layer answers with a server error.
        """
        request = OAI.request(self.base_url)
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", {f"{{{XSI_NS}}}schemaLocation": OAI_LOCATION}, nsmap={None: OAI_NS, "xsi": XSI_NS})
        root.append(OAI.responseDate(datestamp(datetime.now(timezone.utc))))
        root.append(request)
        try:
            verb, arguments = self._parse(args)
            for name, value in {"verb": verb, **arguments}.items():
                if name != "identifier" or PLAIN_URI.match(value):
                    request.set(name, value)
            root.append(self._verbs[verb](verb, arguments))
        except OaiError as error:
            if not error.echo:
                request.attrib.clear()
            for code, message in error.errors:
                root.append(OAI.error({"code": code}, message))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def _parse(self, args: Mapping[str, Sequence[str] | str]) -> tuple[str, dict[str, str]]:
        """The verb and its arguments (one value each), or badVerb / badArgument."""
        values = {key: [value] if isinstance(value, str) else list(value) for key, value in args.items()}
        verbs = values.pop("verb", [])
        if len(verbs) != 1:
            raise OaiError(("badVerb", "the verb argument is missing" if not verbs else "the verb argument is repeated"))
        verb = verbs[0]
        if verb not in REQUIRED:
            raise OaiError(("badVerb", f"{_quote(verb)} is not an OAI-PMH verb"))
        arguments: dict[str, str] = {}
        for key, given in values.items():
            if not given:
                continue  # a key without values (an empty list) is no argument
            if key not in REQUIRED[verb] + OPTIONAL[verb]:
                raise OaiError(("badArgument", f"{verb} takes no argument {_quote(key)}"))
            if len(given) > 1:
                raise OaiError(("badArgument", f"the argument {key} is repeated"))
            if not given[0] or NOT_XML.search(given[0]):
                raise OaiError(("badArgument", f"the argument {key} has an empty or illegal value"))
            arguments[key] = given[0]
        if "resumptionToken" in arguments:
            if len(arguments) > 1:
                raise OaiError(("badArgument", "resumptionToken is an exclusive argument: give it alone with the verb"))
            return verb, arguments
        missing = [name for name in REQUIRED[verb] if name not in arguments]
        if missing:
            raise OaiError(("badArgument", f"{verb} needs the argument {', '.join(missing)}"))
        if "metadataPrefix" in arguments and not METADATA_PREFIX.match(arguments["metadataPrefix"]):
            raise OaiError(("badArgument", f"metadataPrefix {_quote(arguments['metadataPrefix'])} is not a legal prefix"))
        if "set" in arguments and not SET_SPEC.match(arguments["set"]):
            raise OaiError(("badArgument", f"set {_quote(arguments['set'])} is not a legal setSpec"))
        parse_bounds(arguments.get("from"), arguments.get("until"))
        return verb, arguments

    # -- items -----------------------------------------------------------------------------
    def items(self) -> list[Item]:
        """Every item (records, then tombstones over them), in list order (datestamp, id).

        One record at a time is read, and only when new or changed since the last scan; a
        record whose stored JSON cannot be read is left out (``validate``/``verify`` report
        it) rather than failing every harvest.
        """
        found: dict[str, Item] = {}
        for record_id in self.archive.ids():
            item = self._item(record_id)
            if item is not None:
                found[record_id] = item
        for stone in self.tombstones() if self.tombstones else ():
            # A withdrawn record is never disseminated, even if its files are still there.
            found[stone.record_id] = Item(stone.record_id, 0, datestamp(stone.datestamp), stone.set_specs, frozenset(), deleted=True)
        return sorted(found.values(), key=lambda item: item.key)

    def _item(self, record_id: str) -> Item | None:
        version = self.archive.next_version(record_id) - 1  # a listing of its version folders
        cached = self._items.get(record_id)
        if cached is not None and cached.version == version:
            return cached
        if version < 1:
            return None
        try:
            record = self.archive.get(record_id, version)
        except ArchiveError:
            return None
        set_specs, set_names = self._sets(record)
        prefixes = frozenset(p for p, f in self.formats.items() if f.disseminates(record))
        item = Item(record_id, version, datestamp(record.ingested_at), set_specs, prefixes, set_names)
        self._items[record_id] = item
        return item

    @staticmethod
    def _sets(record: Record) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(setSpecs, setNames) of a record: its collection, unless that discloses anything.

        A restricted collection, or one whose name holds withheld text (a restricted name),
        is no set of the record: set membership is disseminated in every header.
        """
        collection = Redactor(record).fact("collection", record.collection)
        if not collection or collection != record.collection.value:
            return (), ()
        return (set_spec_of(collection),), (collection,)

    def _find(self, identifier: str) -> Item:
        """The item an OAI identifier names, or idDoesNotExist."""
        record_id = identifier[len(IDENTIFIER_PREFIX):] if identifier.startswith(IDENTIFIER_PREFIX) else ""
        # The id is checked against the id pattern before the store is touched (no paths).
        if re.fullmatch(RECORD_ID_PATTERN, record_id):
            for stone in self.tombstones() if self.tombstones else ():
                if stone.record_id == record_id:
                    return Item(record_id, 0, datestamp(stone.datestamp), stone.set_specs, frozenset(), deleted=True)
            item = self._item(record_id)
            if item is not None:
                return item
        raise OaiError(("idDoesNotExist", f"{_quote(identifier)} is no item of this repository"))

    # -- XML builders ------------------------------------------------------------------------
    @staticmethod
    def _header(item: Item) -> etree._Element:
        header = OAI.header(OAI.identifier(oai_identifier(item.record_id)), OAI.datestamp(item.datestamp))
        header.extend(OAI.setSpec(spec) for spec in item.set_specs)
        if item.deleted:
            header.set("status", "deleted")
        return header

    def _record(self, item: Item, prefix: str) -> etree._Element | None:
        """A <record>: header and metadata (header only for a deleted item); None if unreadable."""
        if item.deleted:
            return OAI.record(self._header(item))
        try:
            record = self.archive.get(item.record_id, item.version)
        except ArchiveError:
            return None
        return OAI.record(self._header(item), OAI.metadata(self.formats[prefix].build(record, Redactor(record))))

    # -- verbs -----------------------------------------------------------------------------
    def _identify(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        items = self.items()
        # An empty archive has no datestamp yet: now is a lower limit of every future one.
        earliest = min((i.datestamp for i in items), default=datestamp(datetime.now(timezone.utc)))
        return OAI.Identify(
            OAI.repositoryName(self.repository_name),
            OAI.baseURL(self.base_url),
            OAI.protocolVersion("2.0"),
            *[OAI.adminEmail(email) for email in self.admin_emails],
            OAI.earliestDatestamp(earliest),
            OAI.deletedRecord(self.deleted_record),
            OAI.granularity(GRANULARITY),
        )

    def _list_metadata_formats(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        formats = list(self.formats.values())
        if "identifier" in arguments:
            item = self._find(arguments["identifier"])
            formats = [f for f in formats if item.deleted or f.prefix in item.prefixes]
        if not formats:
            raise OaiError(("noMetadataFormats", "no metadata format is available for this item" if "identifier" in arguments else "this repository offers no metadata format"))
        return OAI.ListMetadataFormats(*[
            OAI.metadataFormat(OAI.metadataPrefix(f.prefix), OAI.schema(f.schema), OAI.metadataNamespace(f.namespace)) for f in formats
        ])

    def _list_sets(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        if "resumptionToken" in arguments:
            # Sets come in one response, so no token of ours can be valid here.
            raise OaiError(("badResumptionToken", "ListSets issues no resumption tokens"))
        sets: dict[str, str] = {}
        for item in self.items():
            for spec, name in zip(item.set_specs, item.set_names):
                # Two collections with the same slug are one set; the first name (by order) names it.
                sets[spec] = min(sets.get(spec, name), name)
        if not sets:
            raise OaiError(("noSetHierarchy", "this repository has no sets (no record names a collection)"))
        return OAI.ListSets(*[OAI.set(OAI.setSpec(spec), OAI.setName(sets[spec])) for spec in sorted(sets)])

    def _get_record(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        prefix = arguments["metadataPrefix"]
        errors = []
        try:
            item = self._find(arguments["identifier"])
        except OaiError as error:
            errors += error.errors
            item = None
        if prefix not in self.formats or (item and not item.deleted and prefix not in item.prefixes):
            errors.append(("cannotDisseminateFormat", f"metadataPrefix {_quote(prefix)} is not available for this item"))
        if errors:
            raise OaiError(*errors)
        record = self._record(item, prefix)
        if record is None:
            raise OaiError(("idDoesNotExist", f"the stored record {item.record_id} cannot be read"))
        return OAI.GetRecord(record)

    def _list_identifiers(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        return self._list(verb, arguments, lambda item, prefix: self._header(item))

    def _list_records(self, verb: str, arguments: dict[str, str]) -> etree._Element:
        return self._list(verb, arguments, self._record)

    def _list(self, verb: str, arguments: dict[str, str], build: Callable[[Item, str], etree._Element | None]) -> etree._Element:
        """One page of a list (ListIdentifiers, ListRecords) and its resumption token."""
        if "resumptionToken" in arguments:
            query = self._decode_token(arguments["resumptionToken"], verb)
        else:
            if arguments["metadataPrefix"] not in self.formats:
                raise OaiError(("cannotDisseminateFormat", f"metadataPrefix {_quote(arguments['metadataPrefix'])} is not offered here"))
            start, end = parse_bounds(arguments.get("from"), arguments.get("until"))
            query = Query(verb, arguments["metadataPrefix"], start, end, arguments.get("from"), arguments.get("until"), arguments.get("set"))
        items = self.items()
        if query.set_spec and query.after is None and not any(item.set_specs for item in items):
            raise OaiError(("noSetHierarchy", "this repository has no sets (no record names a collection)"))
        remaining = [item for item in items if query.matches(item)]
        # Lazy: only this page's records are read (a list element is built per item).
        page = [element for item in remaining[: self.page_size] if (element := build(item, query.prefix)) is not None]
        if not page:
            # Also when the rest of a list vanished under a harvester (records changed
            # since the last page): a list element must hold at least one item.
            raise OaiError(("noRecordsMatch", "no item matches the arguments" + (" any more" if query.after else "")))
        container = etree.Element(f"{{{OAI_NS}}}{verb}")
        container.extend(page)
        more = len(remaining) > self.page_size
        if more or query.after is not None:
            sent = remaining[: self.page_size]
            token = OAI.resumptionToken(
                {"completeListSize": str(query.cursor + len(remaining)), "cursor": str(query.cursor)},
                self._encode_token(query, sent[-1].key, query.cursor + len(sent)) if more else "",
            )
            container.append(token)  # empty on the page that completes a list, as the spec says
        return container

    # -- resumption tokens -------------------------------------------------------------------
    def _encode_token(self, query: Query, after: tuple[str, str], cursor: int) -> str:
        """An opaque token: the request's arguments and the last key sent, signed."""
        state = {"verb": query.verb, "prefix": query.prefix, "from": query.given_from, "until": query.given_until,
                 "set": query.set_spec, "after": list(after), "cursor": cursor}
        payload = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":"), sort_keys=True).encode()).decode().rstrip("=")
        return f"{payload}.{self._sign(payload)}"

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self.token_key, payload.encode("ascii"), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()

    def _decode_token(self, token: str, verb: str) -> Query:
        """The query a token continues; badResumptionToken if it is not one of ours, intact."""
        bad = OaiError(("badResumptionToken", "the resumptionToken is invalid, was not issued by this repository, or is for another verb"))
        payload, _, signature = token.partition(".")
        if len(token) > MAX_TOKEN_LENGTH or not payload.isascii() or not hmac.compare_digest(signature.encode("utf-8", "replace"), self._sign(payload).encode()):
            raise bad
        try:
            state = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            if set(state) != {"verb", "prefix", "from", "until", "set", "after", "cursor"} or state["verb"] != verb:
                raise ValueError
            after_datestamp, after_id = state["after"]
            valid = (
                state["prefix"] in self.formats
                and isinstance(state["cursor"], int) and state["cursor"] >= 1
                and isinstance(after_datestamp, str) and SECOND.match(after_datestamp)
                and isinstance(after_id, str) and re.fullmatch(RECORD_ID_PATTERN, after_id)
                and (state["set"] is None or (isinstance(state["set"], str) and SET_SPEC.match(state["set"])))
                and all(state[k] is None or isinstance(state[k], str) for k in ("from", "until"))
            )
            if not valid:
                raise ValueError
            start, end = parse_bounds(state["from"], state["until"])
        except (ValueError, TypeError, KeyError, binascii.Error, OaiError):
            raise bad from None
        return Query(verb, state["prefix"], start, end, state["from"], state["until"], state["set"], (after_datestamp, after_id), state["cursor"])


__all__ = ["DEFAULT_FORMATS", "Item", "MetadataFormat", "OaiError", "OaiRepository", "Tombstone", "datestamp", "set_spec_of"]
