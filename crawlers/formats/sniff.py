"""What the head of a document *is*, structurally: its root element, namespaces and first elements.

Format detection reads this, never substrings of the content: an FPXML feed whose ``<feedID>``
says "idealist.org" is still FPXML, because its root is ``<FootprintFeed>``.
The head (8 KB) is read with a recovering, non-validating parser (no DTD, no entities, no
network): a head is cut mid-document, and some published feeds have no single root or use an
undeclared prefix (USA Service's ``db:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

MAX_ELEMENTS = 200  # enough to see the first item of any feed
SPREADSHEETS_NAMESPACE = "http://schemas.google.com/spreadsheets/2006"
_PROLOG = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*", re.S | re.I
)


@dataclass(frozen=True)
class XmlHead:
    root: str  # local name of the root element (as written: case kept)
    namespace: str  # the root's namespace URI ("" when none)
    namespaces: frozenset[str]  # every namespace URI declared in the head
    elements: tuple[str, ...]  # the first elements, prefix:local as written ("db:event", "mission")
    doctype: str  # the DOCTYPE's root name, lower case ("html"), "" when none

    def has(self, name: str) -> bool:
        """Is an element with this name (local name, or ``prefix:local``) in the head?"""
        return any(e == name or e.rsplit(":", 1)[-1] == name for e in self.elements)

    def declares(self, fragment: str) -> bool:
        """Is a namespace whose URI contains ``fragment`` declared in the head?"""
        return any(fragment in uri for uri in self.namespaces)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


@lru_cache(maxsize=16)
def xml_head(head: bytes) -> XmlHead | None:
    """The structure of a document's head, or None when it does not start like markup."""
    start = _PROLOG.match(head)
    body = head[start.end() if start else 0 :]
    if not body.startswith(b"<"):
        return None
    doctype = re.search(rb"<!DOCTYPE\s+([A-Za-z_:.-]+)", head[: start.end()] if start else b"", re.I)
    parser = etree.XMLPullParser(
        events=("start",), recover=True, resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=False,
    )  # fmt: skip
    elements: list[str] = []
    namespaces: set[str] = set()
    root = namespace = ""
    try:
        parser.feed(body)  # the prolog was read above (lxml stops at a lower-case <!doctype html>)
        for _event, elem in parser.read_events():
            if not isinstance(elem.tag, str):
                continue
            ns, local = _split(elem.tag)
            if not root:
                root, namespace = local, ns
            namespaces.update(uri for uri in elem.nsmap.values() if uri)
            elements.append(f"{elem.prefix}:{local}" if elem.prefix else local)
            if len(elements) >= MAX_ELEMENTS:
                break
    except etree.XMLSyntaxError:
        pass  # a second root, garbage after the head...: what was read so far is the structure
    if not root:
        return None
    return XmlHead(
        root=root,
        namespace=namespace,
        namespaces=frozenset(namespaces),
        elements=tuple(elements),
        doctype=doctype.group(1).decode("ascii").lower() if doctype else "",
    )


def is_spreadsheet_cell_feed(head: XmlHead | None) -> bool:
    """A Google Spreadsheets cell feed: Atom entries titled "A1", "C1"... with ``gs:cell``."""
    return head is not None and (
        SPREADSHEETS_NAMESPACE in head.namespaces or head.declares("spreadsheets.google.com/feeds")
        or any(e.startswith("gs:cell") for e in head.elements)
    )  # fmt: skip
