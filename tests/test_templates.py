"""workers.core.templates: the per-site template-line statistics."""

from __future__ import annotations

from workers.core.templates import SiteTemplates


def test_site_templates_bounded_flushed_and_forgotten():
    store: dict = {}
    t = SiteTemplates(store, min_articles=4, ratio=0.5, max_lines=8, flush_every=3)
    for i in range(4):
        t.observe("site.example", {"menu", "footer", f"body-{i}-a", f"body-{i}-b"})
    assert store["d:site.example"]["n"] == 3  # written every 3 articles
    assert t.template_lines("site.example") == {"menu", "footer"}  # the unwritten 4th counts in memory
    assert len(t._record("site.example")["lines"]) <= 8  # bounded: the rarest lines are dropped first
    t.forget_pending()
    assert t.template_lines("site.example") == frozenset()  # back to the stored 3 articles: below min_articles
    assert t.template_lines("other.example") == frozenset() and t.template_lines(None) == frozenset()
