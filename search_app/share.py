"""Share links for an opportunity page: plain URLs of the common networks, no third-party script."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def share_links(url: str, title: str, email_subject: str, email_body: str) -> list[dict[str, str]]:
    """``[{"name", "url"}]`` for e-mail and the common networks, each opening a prefilled share."""
    text = f"{title} {url}"
    return [
        {
            "name": "email",
            "label": "E-mail",
            "url": f"mailto:?subject={quote(email_subject)}&body={quote(email_body)}",
        },
        {"name": "whatsapp", "label": "WhatsApp", "url": "https://wa.me/?" + urlencode({"text": text})},
        {
            "name": "facebook",
            "label": "Facebook",
            "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "name": "linkedin",
            "label": "LinkedIn",
            "url": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {
            "name": "x",
            "label": "X",
            "url": "https://x.com/intent/post?" + urlencode({"text": title, "url": url}),
        },
        {
            "name": "bluesky",
            "label": "Bluesky",
            "url": "https://bsky.app/intent/compose?" + urlencode({"text": text}),
        },
        {
            "name": "mastodon",
            "label": "Mastodon",
            "url": "https://mastodonshare.com/?" + urlencode({"text": title, "url": url}),
        },
    ]
