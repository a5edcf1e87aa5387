"""Feed documents: WordPress RSS 2.0 (posts and per-post comments) and YouTube channel Atom.

Request contract:
  GET <the registered feed URL>                 the blog's RSS 2.0 (latest 10 posts)
  GET <each item's wfw:commentRss URL>          that post's comments (latest 10, newest first),
                                                recorded for the items with comments
  GET https://www.youtube.com/feeds/videos.xml?channel_id=<id>   the latest 15 videos
Shapes follow tests/fixtures/feeds (WordPress 4.7 RSS 2.0 and a real YouTube channel feed) and
WordPress's feed-rss2.php / feed-rss2-comments.php templates, with Romanian localisation.
A blog with comments closed has no <comments>, wfw:commentRss or slash:comments.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
from typing import Any
from xml.sax.saxutils import escape

from gen.scenario import BROKEN_FEED
from gen.world import Channel, Note, World, post_url

WP_VERSION = "6.5.5"
POSTS_PER_RSS = 10
VIDEOS = 15
CATEGORY = {
    "transport": "Transport",
    "roads": "Investiții",
    "parking": "Transport",
    "waste": "Mediu",
    "water": "Utilități",
    "housing": "Locuințe",
    "environment": "Mediu",
    "safety": "Siguranță publică",
    "health": "Sănătate",
    "education": "Educație",
    "taxes": "Taxe și impozite",
    "documents": "Servicii publice",
    "events": "Evenimente",
    "social": "Asistență socială",
}


def rfc822(t: dt.datetime) -> str:
    """RSS dates as WordPress writes them: 'Mon, 01 Jun 2026 06:00:00 +0000'."""
    return email.utils.format_datetime(t.astimezone(dt.UTC)).replace("-0000", "+0000")


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _wp_text(text: str) -> str:
    """WordPress's texturize: typographic apostrophes and dashes, as entities."""
    return html.escape(text, quote=False).replace("'", "&#8217;").replace(" – ", " &#8211; ")


def _content_html(note: Note) -> str:
    parts = [f"<p>{_wp_text(p)}</p>" for p in note.text.split("\n\n")]
    host = note.channel.host
    if note.form == "photo":
        name = f"{note.slug[:40]}-1024x683.jpg"
        parts.insert(
            1,
            f'<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" '
            f'width="1024" height="683" src="https://{host}/wp-content/uploads/'
            f'{note.created:%Y/%m}/{name}" alt="" /></figure>',
        )
    if note.link is not None and note.link.kind == "video":
        vid = note.link.url.rsplit("=", 1)[-1]
        parts.append(
            f'<figure class="wp-block-embed is-type-video is-provider-youtube"><div class='
            f'"wp-block-embed__wrapper"><iframe title="{html.escape(note.link.title)}" width="640" '
            f'height="360" src="https://www.youtube.com/embed/{vid}?feature=oembed" frameborder="0" '
            f"allowfullscreen></iframe></div></figure>"
        )
    sib = note.channel.siblings
    if "mastodon" in sib or "bluesky" in sib:
        follow = " și ".join(
            f'<a href="{c.url}">{name}</a>'
            for plat, name in (("mastodon", "Mastodon"), ("bluesky", "Bluesky"))
            if (c := sib.get(plat))
        )
        parts.append(f"<p>Urmăriți-ne și pe {follow}.</p>")
    return "\n".join(parts) + "\n"


def _excerpt(note: Note) -> str:
    words = note.text.split()
    return _wp_text(" ".join(words[:55])) + (" [&#8230;]" if len(words) > 55 else "")


def blog_posts(ch: Channel, at: dt.datetime) -> list[Note]:
    return [n for n in ch.items_at(at) if n.parent is None][:POSTS_PER_RSS]


def blog_feed(ch: Channel, at: dt.datetime) -> str:
    """The blog's /feed/ at `at`."""
    posts = blog_posts(ch, at)
    comments_open = ch.profile.blog_comments
    last = max(
        [p.created for p in posts] + [c.created for p in posts for c in p.descendants_at(at)],
        default=ch.created,
    )
    out = [
        (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
            '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
            '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n\t>\n\n<channel>\n'
        ),
        f"\t<title>{escape(ch.inst_name)}</title>\n",
        f'\t<atom:link href="{escape(ch.handle)}" rel="self" type="application/rss+xml" />\n',
        f"\t<link>https://{ch.host}</link>\n",
        f"\t<description>Site oficial &#8211; {escape(ch.locality)}</description>\n",
        f"\t<lastBuildDate>{rfc822(last)}</lastBuildDate>\n",
        "\t<language>ro-RO</language>\n",
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n",
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n",
        f"\t<generator>https://wordpress.org/?v={WP_VERSION}</generator>\n",
    ]
    for p in posts:
        url = post_url(p)
        n = len(p.descendants_at(at))
        out.append("\t<item>\n")
        out.append(f"\t\t<title>{_wp_text(p.title or '')}</title>\n")
        out.append(f"\t\t<link>{url}</link>\n")
        if comments_open:
            out.append(f"\t\t<comments>{url}#{'comments' if n else 'respond'}</comments>\n")
        out.append(f"\t\t<dc:creator>{_cdata(ch.blog_author)}</dc:creator>\n")
        out.append(f"\t\t<pubDate>{rfc822(p.created)}</pubDate>\n")
        out.append(f"\t\t\t\t<category>{_cdata(CATEGORY.get(p.topic, 'Noutăți'))}</category>\n")
        out.append(f'\n\t\t<guid isPermaLink="false">https://{ch.host}/?p={p.nid}</guid>\n')
        out.append(f"\t\t<description>{_cdata(_excerpt(p))}</description>\n")
        out.append(f"\t\t\t\t<content:encoded>{_cdata(_content_html(p))}</content:encoded>\n")
        if comments_open:
            out.append(f"\t\t\t\t\t<wfw:commentRss>{url}feed/</wfw:commentRss>\n")
            out.append(f"\t\t\t<slash:comments>{n}</slash:comments>\n")
        out.append("\t\t</item>\n")
    out.append("\t</channel>\n</rss>\n")
    return "".join(out)


def comments_feed(ch: Channel, post: Note, at: dt.datetime) -> str:
    """A post's comments feed (…/slug/feed/): the latest 10 comments, newest first."""
    url = post_url(post)
    comments = sorted(post.descendants_at(at), key=lambda c: c.created, reverse=True)[
        :POSTS_PER_RSS
    ]
    last = comments[0].created if comments else post.created
    out = [
        (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
            '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n\t\n\t>\n<channel>\n'
        ),
        f"\t<title>\n\tComentarii la: {_wp_text(post.title or '')}\t</title>\n",
        f'\t<atom:link href="{url}feed/" rel="self" type="application/rss+xml" />\n',
        f"\t<link>{url}</link>\n",
        f"\t<description>Site oficial &#8211; {escape(ch.locality)}</description>\n",
        f"\t<lastBuildDate>{rfc822(last)}</lastBuildDate>\n",
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n",
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n",
        f"\t<generator>https://wordpress.org/?v={WP_VERSION}</generator>\n",
    ]
    for c in comments:
        who = ch.blog_author if c.author is None else c.author.display
        out.append("\t<item>\n")
        out.append(f"\t\t<title>\n\t\tDe la: {escape(who)}\t\t</title>\n")
        out.append(f"\t\t<link>{url}#comment-{c.nid}</link>\n")
        out.append(f"\t\t<dc:creator>{_cdata(who)}</dc:creator>\n")
        out.append(f"\t\t<pubDate>{rfc822(c.created)}</pubDate>\n")
        out.append(f'\t\t<guid isPermaLink="false">{url}#comment-{c.nid}</guid>\n')
        out.append(f"\t\t\t\t\t<description>{_cdata(_wp_text(c.text))}</description>\n")
        out.append(
            f"\t\t<content:encoded>{_cdata('<p>' + _wp_text(c.text) + '</p>' + chr(10))}</content:encoded>\n"
        )
        out.append("\t\t</item>\n")
    out.append("\t</channel>\n</rss>\n")
    return "".join(out)


def youtube_feed(ch: Channel, at: dt.datetime) -> str:
    """The channel's videos.xml: the latest 15 videos with their views and likes at `at`."""
    cid = ch.channel_id
    chan_url = f"https://www.youtube.com/channel/{cid}"
    name = escape(ch.inst_name)
    out = [
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
            'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">\n'
        ),
        f' <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={cid}"/>\n',
        f" <id>yt:channel:{cid[2:]}</id>\n",
        f" <yt:channelId>{cid[2:]}</yt:channelId>\n",
        f" <title>{name}</title>\n",
        f' <link rel="alternate" href="{chan_url}"/>\n',
        f" <author>\n  <name>{name}</name>\n  <uri>{chan_url}</uri>\n </author>\n",
        f" <published>{rfc3339(ch.created)}</published>\n",
    ]
    for v in [n for n in ch.items_at(at)][:VIDEOS]:
        updated = max(v.created, at - dt.timedelta(hours=2 + int(v.nid.encode()[0]) % 20))
        title = escape(v.title or "")
        out.append(
            f" <entry>\n  <id>yt:video:{v.nid}</id>\n  <yt:videoId>{v.nid}</yt:videoId>\n"
            f"  <yt:channelId>{cid}</yt:channelId>\n  <title>{title}</title>\n"
            f'  <link rel="alternate" href="https://www.youtube.com/watch?v={v.nid}"/>\n'
            f"  <author>\n   <name>{name}</name>\n   <uri>{chan_url}</uri>\n  </author>\n"
            f"  <published>{rfc3339(v.created)}</published>\n  <updated>{rfc3339(updated)}</updated>\n"
            f"  <media:group>\n   <media:title>{title}</media:title>\n"
            f'   <media:content url="https://www.youtube.com/v/{v.nid}?version=3" '
            f'type="application/x-shockwave-flash" width="640" height="390"/>\n'
            f'   <media:thumbnail url="https://i{1 + len(v.nid) % 4}.ytimg.com/vi/{v.nid}/hqdefault.jpg" '
            f'width="480" height="360"/>\n'
            f"   <media:description>{escape(v.text)}</media:description>\n"
            f"   <media:community>\n"
            f'    <media:starRating count="{v.count(v.likes, at)}" average="5.00" min="1" max="5"/>\n'
            f'    <media:statistics views="{v.count(v.views, at)}"/>\n'
            f"   </media:community>\n  </media:group>\n </entry>\n"
        )
    out.append("</feed>\n")
    return "".join(out)


def _split(url: str) -> tuple[str, str, dict[str, str]]:
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    path, _, qs = ("/" + path).partition("?")
    query = dict(kv.split("=", 1) for kv in qs.split("&")) if qs else {}
    return host, path, query


def responses(world: World, ch: Channel, at: dt.datetime) -> list[dict[str, Any]]:
    """Every response the feed collector needs for one feed account at one collection."""
    host, path, query = _split(ch.handle)
    if ch.platform == "youtube":
        return [
            {
                "host": host,
                "path": path,
                "query": query,
                "status": 200,
                "headers": {"Content-Type": "text/xml; charset=UTF-8"},
                "text": youtube_feed(ch, at),
            }
        ]
    headers = {
        "Content-Type": "application/rss+xml; charset=UTF-8",
        "Last-Modified": email.utils.format_datetime(at - dt.timedelta(hours=1), usegmt=True),
    }
    text = blog_feed(ch, at)
    inst, broken_at = BROKEN_FEED
    if ch.inst_id == inst and at == broken_at:
        # A plugin crash: the response stops in the middle of the second item's content.
        cut = text.index("<content:encoded>", text.index("<item>", text.index("<item>") + 1)) + 40
        return [
            {
                "host": host,
                "path": path,
                "query": query,
                "status": 200,
                "headers": headers,
                "text": text[:cut],
            }
        ]
    out = [
        {
            "host": host,
            "path": path,
            "query": query,
            "status": 200,
            "headers": headers,
            "text": text,
        }
    ]
    if ch.profile.blog_comments:
        for p in blog_posts(ch, at):
            if not p.descendants_at(at):
                continue  # slash:comments is 0: nobody asks for an empty comment feed
            chost, cpath, _ = _split(post_url(p) + "feed/")
            out.append(
                {
                    "host": chost,
                    "path": cpath,
                    "query": {},
                    "status": 200,
                    "headers": {"Content-Type": "application/rss+xml; charset=UTF-8"},
                    "text": comments_feed(ch, p, at),
                }
            )
    return out
