"""A partner's website as the crawler sees it: which pages belong to it, where its sitemaps are.

One home for the rules the website spider (``crawlers/spiders/schemaorg.py``) and format
detection at registration (``crawlers/discover.py``) share, so that what detection counts is
what the crawl will visit: the start URL's host *and directory* (``https://asso.example/benevolat/``
-> pages under ``/benevolat/``), ``sitemap.xml`` at the site's root and in that directory plus
every ``Sitemap:`` line of robots.txt on the same host, sitemap indexes followed.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlparse

from crawlers.formats.xmlsafe import decompress, iter_elements, local

SKIPPED_EXTENSIONS = (
    ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".zip", ".doc", ".docx", ".xls", ".mp4",
)  # fmt: skip
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit (uncompressed)


class SiteScope:
    """The pages of a partner's site: same scheme and host, under the start URL's directory."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.url = urldefrag(url)[0]
        self.origin = f"{parsed.scheme}://{parsed.netloc}"
        self.netloc = parsed.netloc
        self.prefix = parsed.path[: parsed.path.rfind("/") + 1] or "/"

    def contains(self, url: str) -> bool:
        parsed = urlparse(url)
        return (
            f"{parsed.scheme}://{parsed.netloc}" == self.origin
            and (parsed.path or "/").startswith(self.prefix)
            and not parsed.path.lower().endswith(SKIPPED_EXTENSIONS)
        )

    def same_host(self, url: str) -> bool:
        return urlparse(url).netloc == self.netloc

    @property
    def robots_url(self) -> str:
        return f"{self.origin}/robots.txt"

    def sitemap_urls(self) -> list[str]:
        """The conventional sitemaps: the site root's and the start directory's (and the start URL
        itself when it is a sitemap)."""
        found = {f"{self.origin}/sitemap.xml", f"{self.origin}{self.prefix}sitemap.xml"}
        if self.url.endswith(".xml"):
            found.add(self.url)
        return sorted(found)

    def link(self, base: str, href: str) -> str:
        return urldefrag(urljoin(base, href.strip()))[0]


def robots_sitemaps(robots_txt: str, scope: SiteScope) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt that point to the partner's own host."""
    found: list[str] = []
    for line in robots_txt.splitlines():
        field, _, value = line.partition(":")
        url = value.strip()
        if field.strip().lower() == "sitemap" and url and scope.same_host(url) and url not in found:
            found.append(url)
    return found


def sitemap_entries(data: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index; ``FeedError`` when unreadable."""
    pages: list[str] = []
    sitemaps: list[str] = []
    for elem in iter_elements(decompress(data, max_bytes=MAX_SITEMAP_BYTES), {"loc"}):
        loc = (elem.text or "").strip()
        parent = elem.getparent()
        if loc:
            (sitemaps if parent is not None and local(parent.tag) == "sitemap" else pages).append(loc)
    return pages, sitemaps
