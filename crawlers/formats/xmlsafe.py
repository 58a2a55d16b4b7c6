"""Safe, streaming XML reading for partner feeds.

No DTD loading, no entity expansion, no network access (XXE, billion laughs), bounded tree
depth and size. Feeds that declare entities are refused outright: no volunteer feed needs
them, and refusing is simpler to reason about than expanding them safely.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
from collections.abc import Iterator

from lxml import etree

from crawlers.formats.base import FeedError, ParseProblem

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # after decompression


def decompress(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Gunzip when gzip-compressed, refusing output larger than ``max_bytes`` (gzip bombs)."""
    if not data.startswith(GZIP_MAGIC):
        if len(data) > max_bytes:
            raise FeedError(f"feed is larger than the {max_bytes // (1024 * 1024)} MB limit")
        return data
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            while chunk := gz.read(1 << 20):
                out.write(chunk)
                if out.tell() > max_bytes:
                    raise FeedError(
                        f"feed is larger than the {max_bytes // (1024 * 1024)} MB limit once decompressed"
                    )
    except (OSError, EOFError) as exc:
        raise FeedError(f"gzip data is corrupt or truncated: {exc}") from exc
    return out.getvalue()


def _ascii_view(data: bytes) -> bytes:
    """The bytes as ASCII-compatible text, so that UTF-16/32 feeds cannot hide a declaration."""
    head = data[:4]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):  # fmt: skip
        if head.startswith(bom):
            return data.decode(codec, errors="replace").encode("utf-8", errors="replace")
    if b"\x00" in data[:64]:  # UTF-16/32 without a BOM ("<\x00?\x00x\x00m\x00l\x00")
        return data.replace(b"\x00", b"")
    return data


def check_no_entities(data: bytes) -> None:
    """Refuse any document type declaration with entities, wherever it is (XXE, billion laughs).

    lxml is also told never to load DTDs (external ones, as in old RSS 0.91 feeds, are simply not
    fetched), expand entities or use the network; this check makes the refusal explicit and
    covers every parser (feedparser included).
    """
    view = _ascii_view(data)
    if _ENTITY_DECL.search(view):
        raise FeedError("the XML declares entities (<!ENTITY>); entity declarations are refused for safety")


def local(tag: object) -> str:
    """Element tag without its namespace: '{http://x}title' -> 'title'."""
    if not isinstance(tag, str):
        return ""
    return _local(tag)


@functools.lru_cache(maxsize=4096)  # a feed has a few dozen distinct tags, seen millions of times
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def iter_elements(data: bytes, names: set[str]) -> Iterator[etree._Element]:
    """Stream the elements whose local name is in ``names`` (memory is freed as we go).

    Raises ``FeedError`` with the line number when the XML is malformed.
    """
    check_no_entities(data)
    parser_kwargs = dict(
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        for _event, elem in etree.iterparse(io.BytesIO(data), **parser_kwargs):
            if local(elem.tag) in names:
                yield elem
                # Free what we've processed: keeps memory bounded on huge feeds.
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        if "not proper UTF-8" in (exc.msg or "") or "encoding" in (exc.msg or "").lower():
            raise FeedError(
                f"the feed is not valid in its declared encoding at line {exc.lineno} ({exc.msg}); "
                'declare the real encoding, e.g. <?xml version="1.0" encoding="ISO-8859-1"?>'
            ) from exc
        raise FeedError(f"the XML is malformed at line {exc.lineno}: {exc.msg}") from exc


def text(elem: etree._Element | None, *path: str) -> str | None:
    """Stripped text of the first descendant following ``path`` (local names), or None."""
    node = find(elem, *path)
    return None if node is None else _joined_text(node)


# ``{*}name`` is lxml's any-namespace (or none) match, done in C: a Python loop over the children
# comparing local names was the parsers' largest cost (bench/README.md profile).


def children(elem: etree._Element | None, name: str) -> list[etree._Element]:
    if elem is None:
        return []
    return elem.findall(f"{{*}}{name}")


def find(elem: etree._Element | None, *path: str) -> etree._Element | None:
    node = elem
    for name in path:
        if node is None:
            return None
        node = node.find(f"{{*}}{name}")
    return node


def _joined_text(node: etree._Element) -> str | None:
    value = "".join(node.itertext()).strip()
    return value or None


class ChildIndex:
    """An element's direct children by local name, read in one pass: the first of each name, as
    ``find(elem, name)`` gives it. A parser that reads 30 fields of an item asks this instead of
    calling ``find`` 30 times (each an ElementPath search over all the children: 30% of an FPXML
    parse in the idx14 profile)."""

    __slots__ = ("_first", "elem")

    def __init__(self, elem: etree._Element | None) -> None:
        self.elem = elem  # for its attributes (``olsonTZ``)
        first: dict[str, etree._Element] = {}
        if elem is not None:
            for child in elem:
                tag = child.tag
                if isinstance(tag, str):  # comments and processing instructions have no name
                    name = _local(tag)
                    if name not in first:
                        first[name] = child
        self._first = first

    def find(self, name: str) -> etree._Element | None:
        return self._first.get(name)

    def text(self, name: str) -> str | None:
        """Stripped text of the first child called ``name`` (``text(elem, name)``), or None."""
        node = self._first.get(name)
        return None if node is None else _joined_text(node)


# What All for Good's pipeline cleaned before parsing: characters XML 1.0 forbids (one of them
# made a whole feed of thousands unreadable) and ``<?xml ?>`` declarations repeated mid-document
# (feeds concatenated from several files).
_ILLEGAL_CHARACTER = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_DECLARATION = re.compile(rb"<\?xml\s[^>]*\?>")
_LEADING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*")
MAX_LINES_NAMED = 10


def _lines(data: bytes, positions: list[int]) -> list[int]:
    lines, line, last = [], 1, 0
    for position in positions:
        line += data.count(b"\n", last, position)
        last = position
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _named(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:MAX_LINES_NAMED])
    more = f" and {len(lines) - MAX_LINES_NAMED} more" if len(lines) > MAX_LINES_NAMED else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def repair(data: bytes) -> tuple[bytes, list[ParseProblem]]:
    """Remove XML-illegal control characters and repeated declarations; a warning names the lines.

    UTF-16/32 documents are left alone (their bytes are not ASCII-compatible).
    """
    if _ascii_view(data[:64]) != data[:64]:
        return data, []
    warnings: list[ParseProblem] = []
    start = _LEADING.match(data)
    first = _DECLARATION.match(data, start.end() if start else 0)
    after = first.end() if first else 0
    # The fast checks first (a 60 MB feed): find/translate, then the located pass when needed.
    repeated = []
    if data.find(b"<?xml", after) >= 0:
        repeated = [m.start() for m in _DECLARATION.finditer(data, after)]
    if repeated:
        lines = _lines(data, repeated)
        data = data[:after] + _DECLARATION.sub(b"", data[after:])
        warnings.append(
            ParseProblem(
                f"{len(repeated)} repeated <?xml ?> declaration(s) inside the document were removed "
                f"({_named(lines)})",
                line=lines[0],
                field="feed",
                severity="warning",
            )
        )
    cleaned = data.translate(None, _ILLEGAL_BYTES)
    if len(cleaned) != len(data):
        positions = [m.start() for m in _ILLEGAL_CHARACTER.finditer(data)]
        lines = _lines(data, positions)
        data = cleaned
        warnings.append(
            ParseProblem(
                f"{len(positions)} control character(s) that XML does not allow were removed "
                f"({_named(lines)})",
                line=lines[0],
                field="feed",
                severity="warning",
            )
        )
    return data, warnings
