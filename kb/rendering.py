"""Article Markdown to safe HTML: the tickets' sanitizer, plus the article's own images
and videos from an allow-list of hosts.

- An image shows only when it is one of the article's own files (``/kb/files/…``): an
  article never makes the reader's browser fetch from another site.
- A paragraph that is only a link to a video on an allowed host becomes a video
  placeholder: the plain link (which works everywhere) and a ``data-embed`` address that
  ``static/js/kb.js`` turns into a player only when the reader clicks. Until then the
  reader's browser sends the video host nothing.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import markdown
import nh3

from tickets.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES

OWN_FILES = "/kb/files/"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_ID = re.compile(r"^\d{5,12}$")
_LINK_PARAGRAPH = re.compile(r'<p><a href="([^"]+)"[^>]*>([^<]*)</a></p>')
_BARE_URL_PARAGRAPH = re.compile(r"<p>(https?://[^\s<\"]+)</p>")


def _youtube(url: str) -> str | None:
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    video = ""
    if host == "youtu.be":
        video = parsed.path.strip("/")
    elif parsed.path == "/watch":
        video = (parse_qs(parsed.query).get("v") or [""])[0]
    elif parsed.path.startswith(("/embed/", "/shorts/")):
        video = parsed.path.split("/")[2]
    if not _YOUTUBE_ID.match(video):
        return None
    return f"https://www.youtube-nocookie.com/embed/{video}"


def _vimeo(url: str) -> str | None:
    parts = [part for part in urlparse(url).path.split("/") if part]
    video = parts[-1] if parts else ""
    return f"https://player.vimeo.com/video/{video}" if _VIMEO_ID.match(video) else None


# The allow-list: host -> how to build the player's address from the link.
VIDEO_HOSTS = {
    "www.youtube.com": _youtube,
    "youtube.com": _youtube,
    "youtu.be": _youtube,
    "vimeo.com": _vimeo,
    "www.vimeo.com": _vimeo,
}


def video_embed_url(url: str) -> str | None:
    """The player address for a link to a video on an allowed host, else None."""
    parsed = urlparse(html.unescape(url))
    if parsed.scheme != "https":
        return None
    builder = VIDEO_HOSTS.get((parsed.hostname or "").lower())
    return builder(parsed.geturl()) if builder else None


def _keep_own_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(OWN_FILES) and ".." not in value else None
    return value


def _video(found: re.Match[str]) -> str:
    href, text = found.group(1), found.group(2)
    embed = video_embed_url(href)
    if embed is None:
        return found.group(0)
    host = urlparse(embed).hostname or ""
    return (
        f'<figure class="video" data-embed="{html.escape(embed)}" data-host="{html.escape(host)}">'
        f'<a href="{href}" rel="noopener noreferrer nofollow" class="video-link">{text}</a>'
        "</figure>"
    )


def render_article(text: str) -> str:
    """Render an article's Markdown, sanitized like tickets, with its images and videos."""
    source = markdown.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    cleaned = nh3.clean(
        source,
        tags=ALLOWED_TAGS | {"img"},
        attributes={**ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_keep_own_images,
    )
    # A paragraph that is only an address: a link (Markdown leaves bare addresses as text).
    linked = _BARE_URL_PARAGRAPH.sub(
        r'<p><a href="\1" rel="noopener noreferrer nofollow">\1</a></p>', cleaned
    )
    return _LINK_PARAGRAPH.sub(_video, linked)
