"""Plain text and links from the HTML that Mastodon (and others) put in post bodies."""

from __future__ import annotations

from html.parser import HTMLParser


class _Extract(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip_depth = 0  # inside <span class="invisible">

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "a":
            cls = (a.get("class") or "").split()
            rel = (a.get("rel") or "").split()
            href = a.get("href")
            if href and "mention" not in cls and "hashtag" not in cls and "tag" not in rel:
                self.links.append(href)
        if tag == "span" and "invisible" in (a.get("class") or "").split():
            self._skip_depth += 1
        elif tag == "span" and self._skip_depth:
            self._skip_depth += 1

    def handle_endtag(self, tag):
        if tag == "span" and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str | None) -> tuple[str, list[str]]:
    """(plain text, outbound links except mentions and hashtags)."""
    if not html:
        return "", []
    p = _Extract()
    p.feed(html)
    p.close()
    text = "".join(p.parts).strip()
    return text, list(dict.fromkeys(p.links))
