"""Comments are written in Markdown and shown as sanitised HTML.

Two layers, so that neither alone has to be perfect:

1. Python-Markdown renders the text with raw HTML switched off: a `<script>` or `<img>` a person
   types is escaped and shows as text. Images are not shown: `![alt](url)` stays as typed.
2. nh3 (the Rust `ammonia` sanitiser) keeps only the tags of ordinary prose, links only to
   http, https and mailto addresses, every link with `rel="nofollow noopener noreferrer"`; any
   other attribute is dropped.
"""

import html
import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"
# The longest comment excerpt (plain text) a notification carries.
EXCERPT_LENGTH = 140


class _NoRawHtml(Extension):
    """Escape raw HTML instead of passing it through; show no images."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("image_link")
        md.inlinePatterns.deregister("image_reference")
        md.inlinePatterns.deregister("short_image_ref")


def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_NoRawHtml(), "sane_lists"], output_format="html")


def render_markdown(text: str) -> SafeString:
    """`text` (Markdown) as HTML that is safe to put in a page."""
    html = _converter().convert(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)


_SPACES = re.compile(r"\s+")


def plain_excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first `length` characters of `text` as plain text (Markdown and tags removed)."""
    plain = html.unescape(nh3.clean(_converter().convert(text or ""), tags=set()))
    plain = _SPACES.sub(" ", plain).strip()
    return plain if len(plain) <= length else plain[: length - 1].rstrip() + "…"
