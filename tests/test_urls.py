"""workers.core.urls: canonical URLs and the article's host."""

from __future__ import annotations

from workers.core import urls


def test_canonical_url_drops_tracking_and_fragment():
    url = "HTTP://WWW.Example.com:80/news/a?utm_source=x&id=7&fbclid=abc#top"
    assert urls.canonicalize(url) == "https://www.example.com/news/a?id=7"
    assert urls.host(url) == "example.com"
    assert urls.canonicalize("/rel/path", base="https://m.site.example/a/b") == "https://m.site.example/rel/path"
    assert urls.canonicalize("javascript:void(0)") is None
