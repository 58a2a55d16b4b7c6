"""Partner pictures (volunteer_hub.services.images, search_app.pictures): fetched only through the guarded
fetcher, checked by decoding, resized, kept by the app and served from our own host; never hot-linked.

Real bytes come from HTTP servers on 127.0.0.1 (the address policy relaxed as for every crawl test); the
guard itself is tested with a stub resolver, and nothing ever connects anywhere else.
"""

from __future__ import annotations

import http.server
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from crawlers import fetch as fetch_module
from search_app import create_app
from tests.helpers import cli
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.services.images import (
    CACHED,
    FETCHED,
    UNCHANGED,
    WAITING,
    NotAPicture,
    fetch_pictures,
    refresh_source,
    render,
)
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.pictures import FAILED, OK, REFUSED, PictureCache


def picture_bytes(width: int, height: int, fmt: str = "JPEG", mode: str = "RGB") -> bytes:
    """A real picture; a JPEG carries EXIF (an author, a camera) that must not survive."""
    image = Image.new(mode, (width, height), (200, 60, 30, 128) if mode == "RGBA" else (200, 60, 30))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x013B] = "Jane Photographer"  # Artist
        exif[0x0110] = "SecretCam 3000"  # Model
        image.save(out, format="JPEG", exif=exif.tobytes(), quality=85)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def cache(settings: Settings) -> PictureCache:
    return PictureCache(settings.pictures_dir)


@pytest.fixture
def www(feed_server: tuple[Path, str]) -> tuple[Path, str]:
    """The partner's picture server on 127.0.0.1: a photo, a transparent logo, HTML posing as a PNG,
    a decompression bomb (49 million pixels in a few kilobytes)."""
    root, base = feed_server
    (root / "photo.jpg").write_bytes(picture_bytes(1200, 800))
    (root / "logo.png").write_bytes(picture_bytes(300, 100, "PNG", "RGBA"))
    (root / "small.png").write_bytes(picture_bytes(100, 80, "PNG"))
    (root / "page.png").write_bytes(b"<!doctype html><html><body>Not found, sorry</body></html>")
    bomb = io.BytesIO()
    Image.new("1", (7000, 7000)).save(bomb, format="PNG")
    (root / "bomb.png").write_bytes(bomb.getvalue())
    return root, base


def test_a_photo_becomes_resized_webp_copies_without_metadata(settings: Settings, cache, www) -> None:  # noqa: ANN001
    _root, base = www
    url = f"{base}/photo.jpg"
    assert refresh_source(cache, url, settings).status == FETCHED
    entry = cache.entry(url)
    assert entry is not None and entry.status == OK
    assert [(v.width, v.height) for v in entry.variants] == [(160, 107), (640, 427)]
    for variant in entry.variants:
        copy = Image.open(cache.files / variant.name)
        assert (copy.format, copy.size) == ("WEBP", (variant.width, variant.height))
        assert not copy.getexif() and "exif" not in copy.info and "icc_profile" not in copy.info
        assert b"Jane Photographer" not in (cache.files / variant.name).read_bytes()
    # Asked again soon: the cache answers, the partner is not asked.
    assert refresh_source(cache, url, settings).status == CACHED


def test_a_logo_keeps_its_transparency_and_a_small_picture_is_never_enlarged(settings, cache, www) -> None:  # noqa: ANN001
    _root, base = www
    assert refresh_source(cache, f"{base}/logo.png", settings).status == FETCHED
    logo = cache.entry(f"{base}/logo.png")
    assert [(v.width, v.height) for v in logo.variants] == [(160, 53), (300, 100)]
    assert Image.open(cache.files / logo.variants[0].name).mode == "RGBA"
    assert refresh_source(cache, f"{base}/small.png", settings).status == FETCHED
    assert [(v.width, v.height) for v in cache.entry(f"{base}/small.png").variants] == [(100, 80)]


def test_a_turned_photo_is_made_upright_and_a_truncated_one_is_refused() -> None:
    image, out = Image.new("RGB", (400, 200), (10, 120, 200)), io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned a quarter
    image.save(out, format="JPEG", exif=exif.tobytes())
    rendered = render(out.getvalue(), max_pixels=1_000_000)
    assert [(v.width, v.height) for v, _ in rendered.variants] == [(160, 320), (200, 400)]
    with pytest.raises(NotAPicture, match="damaged"):
        render(picture_bytes(1200, 800)[:3000], max_pixels=10_000_000)
    with pytest.raises(NotAPicture, match="a strip"):
        render(picture_bytes(2000, 100, "PNG"), max_pixels=10_000_000)


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("bomb.png", REFUSED, "too many pixels (7000x7000"),
        ("page.png", REFUSED, "not a picture (JPEG, PNG, GIF or WebP) (the server called it image/png)"),
        ("missing.jpg", FAILED, "HTTP 404"),
    ],
)
def test_bad_pictures_are_refused_with_a_reason_and_not_asked_again_before_their_time(
    settings: Settings,
    cache: PictureCache,
    www: tuple[Path, str],
    path: str,
    status: str,
    reason: str,
) -> None:
    root, base = www
    url = f"{base}/{path}"
    outcome = refresh_source(cache, url, settings)
    assert outcome.status == status and reason in (outcome.reason or "")
    assert cache.picture(url, 160) is None
    # The failure is remembered: the next passes wait instead of asking again...
    (root / path).write_bytes(picture_bytes(400, 300))  # (the partner fixes it meanwhile)
    assert refresh_source(cache, url, settings).status == WAITING
    # ...until the time to try again has come.
    later = datetime.now(UTC) + timedelta(hours=settings.picture_retry_hours + 1)
    assert refresh_source(cache, url, settings, now=later).status == FETCHED
    assert cache.picture(url, 160) is not None


def test_a_picture_larger_than_the_byte_cap_is_refused(home: Path, www, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("VOLUNTEER_HUB_PICTURE_MAX_BYTES", "10000")
    settings = load_settings()
    _root, base = www
    outcome = refresh_source(PictureCache(settings.pictures_dir), f"{base}/photo.jpg", settings)
    assert outcome.status == REFUSED and "download limit" in (outcome.reason or "")


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A picture server that sends its headers, then one byte every 0.2 s (a slow partner)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow.jpg"
    server.shutdown()


def test_a_slow_server_is_cut_at_the_picture_deadline(home: Path, dripping_server: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("VOLUNTEER_HUB_PICTURE_TIMEOUT", "1")
    settings = load_settings()
    outcome = refresh_source(PictureCache(settings.pictures_dir), dripping_server, settings)
    assert outcome.status == FAILED and "within 1 s" in (outcome.reason or "")


def test_the_address_policy_refuses_a_private_address_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})  # private addresses refused
    assert not settings.allow_private_urls
    asked: list[str] = []

    def stub_resolver(host: str, port: object, *args: object, **kwargs: object) -> list:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", 80))]

    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("a refused address was connected to")

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", stub_resolver)
    monkeypatch.setattr(fetch_module, "create_connection", no_connection)
    cache = PictureCache(settings.pictures_dir)
    outcome = refresh_source(cache, "http://cdn.partner-pictures.org/a.jpg", settings)
    assert asked == ["cdn.partner-pictures.org"]
    assert outcome.status == REFUSED and "10.20.30.40" in (outcome.reason or "")
    # A reserved name (RFC 2606) is refused without even asking DNS.
    outcome = refresh_source(cache, "https://plateforme.example/images/a.jpg", settings)
    assert outcome.status == REFUSED and asked == ["cdn.partner-pictures.org"]


@pytest.fixture
def validating_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A picture server that answers 304 to its own ETag, recording each request's headers."""
    body = picture_bytes(320, 240)
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(dict(self.headers))
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/p.jpg", seen
    server.shutdown()


def test_a_cached_picture_is_revalidated_with_a_conditional_request(
    settings, cache, validating_server
) -> None:  # noqa: ANN001
    url, seen = validating_server
    assert refresh_source(cache, url, settings).status == FETCHED
    later = datetime.now(UTC) + timedelta(days=settings.picture_refresh_days + 1)
    assert refresh_source(cache, url, settings, now=later).status == UNCHANGED
    assert seen[-1].get("If-None-Match") == '"v1"' and len(seen) == 2
    assert cache.picture(url, 640) is not None


def test_the_route_serves_only_cached_files_with_long_cache_headers(settings, cache, www) -> None:  # noqa: ANN001
    _root, base = www
    refresh_source(cache, f"{base}/photo.jpg", settings)
    variant = cache.picture(f"{base}/photo.jpg", 160)
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    answer = client.get(f"/img/{variant.name}")
    assert answer.status_code == 200 and answer.mimetype == "image/webp"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        "immutable" in answer.headers["Cache-Control"]
        and "max-age=31536000" in answer.headers["Cache-Control"]
    )
    assert "Set-Cookie" not in answer.headers
    assert Image.open(io.BytesIO(answer.data)).size == (160, 107)
    for missing in (
        "0123456789abcdef0123-160.webp",
        "../sources/x.json",
        "photo.jpg",
        variant.name + ".json",
    ):
        assert client.get(f"/img/{missing}").status_code == 404


def api_feed(base: str) -> str:
    """Three API Engagement missions: a photo and a logo, HTML posing as a picture, no picture at all."""

    def mission(mid: str, title: str, domain: str, extra: str) -> str:
        return (
            f"<mission><clientId>{mid}</clientId><title>{title}</title>"
            f"<description>Une mission pour {title}.</description>"
            f"<applicationUrl>https://assos.example.org/{mid}</applicationUrl><startAt>2030-03-01</startAt>"
            f"<city>Lyon</city><postalCode>69003</postalCode><country>France</country>"
            f"<domain>{domain}</domain><organizationName>Les Amis du Fleuve</organizationName>"
            "<organizationDescription>Nous prenons soin du fleuve.</organizationDescription>"
            f"{extra}</mission>"
        )

    return (
        "<source><publisher>P</publisher>"
        + mission(
            "photo",
            "Nettoyer les berges",
            "environnement",
            f"<image>{base}/photo.jpg</image><organizationLogo>{base}/logo.png</organizationLogo>",
        )
        + mission("faux", "Trier des livres", "culture-loisirs", f"<image>{base}/page.png</image>")
        + mission("rien", "Accueillir des familles", "solidarite-insertion", "")
        + "</source>"
    )


IMG_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]*)"')
CARD = re.compile(r'<li class="card"[^>]*data-title="([^"]+)">(.*?)</li>\s*(?=<li class="card"|</ol>)', re.S)


def cards_by_title(page: str) -> dict[str, str]:
    return {title: html for title, html in CARD.findall(page)}


def test_a_crawl_fetches_the_pictures_and_pages_show_our_copies(home: Path, www) -> None:  # noqa: ANN001
    root, base = www
    (root / "missions.xml").write_text(api_feed(base), encoding="utf-8")
    assert cli(home, "partners", "add", "ae", "--url", f"{base}/missions.xml").returncode == 0
    done = cli(home, "crawl", "ae", "--json")
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)[0]
    pictures = run["pictures"]
    assert (pictures["fetched"], pictures["refused"], pictures["failed"]) == (2, 1, 0)
    assert any("not a picture" in reason for reason in pictures["reasons"])
    # The CLI pass after it: nothing new, the refused picture waits for its time.
    again = cli(home, "images", "fetch", "ae")
    assert again.returncode == 0 and "ae: pictures 2 cached, 1 waiting" in again.stdout

    settings = load_settings()
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    page = client.get("/?q=&lang=fr").get_data(as_text=True)
    cards = cards_by_title(page)
    assert set(cards) == {"Nettoyer les berges", "Trier des livres", "Accueillir des familles"}
    photo = re.search(
        r'<img class="card-picture card-photo" src="(/img/[0-9a-f]{20}-160\.webp)" alt=""'
        r' width="160" height="107" loading="lazy"',
        cards["Nettoyer les berges"],
    )
    assert photo, cards["Nettoyer les berges"]
    assert client.get(photo.group(1)).mimetype == "image/webp"
    for title in (
        "Trier des livres",
        "Accueillir des familles",
    ):  # no usable picture: the cause's illustration
        assert re.search(r'<img class="card-picture" src="/static/causes/[a-z-]+\.svg"', cards[title])

    detail_path = re.search(
        r'href="(/o/[^"?]+)[^"]*"[^>]*>Nettoyer les berges', cards["Nettoyer les berges"]
    ).group(1)
    detail = client.get(detail_path).get_data(as_text=True)
    assert re.search(
        r'<img class="opportunity-picture" src="/img/[0-9a-f]{20}-640\.webp" alt="" width="640" height="427"',
        detail,
    )
    assert re.search(r'<img class="org-logo" src="/img/[0-9a-f]{20}-160\.webp"', detail)
    assert 'alt="Logo de Les Amis du Fleuve"' in detail
    organization = client.get("/org/les-amis-du-fleuve").get_data(as_text=True)
    assert re.search(r'<h1><img class="org-logo" src="/img/[0-9a-f]{20}-160\.webp"', organization)
    # Never the partner's address as a picture: every <img> comes from this site.
    for html in (page, detail, organization):
        sources = IMG_SRC.findall(html)
        assert sources and all(src.startswith(("/static/", "/img/")) for src in sources), sources
        assert base not in " ".join(sources)

    # The API gives our copies too, as absolute URLs on this site; the partner's URL stays data only.
    api = client.get("/api/v1/opportunities?q=&lang=fr", base_url="https://benevoles.example.org").get_json()
    by_title = {item["title"]: item for item in api["items"]}
    shown = by_title["Nettoyer les berges"]["picture"]
    assert shown["kind"] == "image"
    assert re.fullmatch(r"https://benevoles\.example\.org/img/[0-9a-f]{20}-160\.webp", shown["card"]["url"])
    assert (shown["card"]["width"], shown["card"]["height"]) == (160, 107)
    assert (shown["detail"]["width"], shown["detail"]["height"]) == (640, 427)
    assert by_title["Nettoyer les berges"]["image"].startswith(base)  # the source, as data
    assert by_title["Accueillir des familles"]["picture"] is None
    one = client.get(detail_path.replace("/o/", "/api/v1/opportunities/")).get_json()
    assert one["picture"]["card"]["url"] == "http://localhost" + shown["card"]["url"].split(".org", 1)[1]


def test_a_pass_spends_at_most_its_request_budget_and_the_next_one_goes_on(settings: Settings, www) -> None:  # noqa: ANN001
    _root, base = www
    db = Database.from_settings(settings)
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url=f"{base}/feed.xml"))
        for n, picture in enumerate(("photo.jpg", "small.png", "logo.png")):
            data = {"image": f"{base}/{picture}", "organization": {"logo": f"{base}/logo.png"}}
            s.add(
                StoredOpportunity(
                    id=f"asso-{n}", partner_id="asso", source_id=str(n), content_hash="x", data=data
                )
            )
    first = fetch_pictures(db, settings, ["asso"], limit=2)["asso"].counts
    assert (first["fetched"], first["later"]) == (2, 1)
    second = fetch_pictures(db, settings, ["asso"], limit=2)["asso"].counts
    assert (second["cached"], second["fetched"], second["later"]) == (2, 1, 0)


def test_picture_sources_lists_each_partners_images_then_logos_once(db: Database) -> None:
    # On both databases: the URLs are read by JSON path (image, organization.logo), not whole records.
    from tests.samples import NOW, opp
    from volunteer_hub.core.opportunity import Organization
    from volunteer_hub.services.images import picture_sources
    from volunteer_hub.store.partner_sync import PartnerSync

    logo = "https://partner.example/logo.png"
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    with_logo = [opp(f"o{i}", f"Mission {i}", image=f"https://partner.example/{i}.jpg") for i in range(3)]
    for o in with_logo:
        o.organization = Organization(name="Asso", logo=logo)
    PartnerSync(db, "test", now=NOW).store([*with_logo, opp("bare", "Sans image")])
    urls = picture_sources(db)["test"]
    assert sorted(urls) == sorted([f"https://partner.example/{i}.jpg" for i in range(3)] + [logo])
    assert picture_sources(db, ["other"]) == {}
