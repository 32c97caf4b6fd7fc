"""page.extract on small handwritten pages: what is kept, what is dropped, what metadata is read."""

from __future__ import annotations

import pytest

from workers.core import page
from workers.core.body import choose, drop_headline
from workers.core.records import Rejected

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the night bus network to the three northern districts, "
    "after a year of complaints from shift workers who had no way home after midnight.",
    "Under the plan, four new lines will run every twenty minutes between midnight and five in the morning, "
    "starting in March, at a cost the transport office puts at 2.4 million euros a year.",
    "Opposition members argued that the money would be better spent on more frequent daytime services, "
    "but the measure passed by twenty-eight votes to nineteen after a three-hour debate.",
    "The transport office said it would publish the timetables in February and review the ridership "
    "figures after six months, with the option of adding a fifth line to the airport.",
]
SUBHEADING = "What changes for passengers"
LIST_ITEMS = ["Line N1 runs from the central station to Nordhafen", "Line N2 runs from the university to Eastgate"]


def sample(head_extra: str = "", body_extra: str = "") -> str:
    paras = [f"<p>{p}</p>" for p in PARAGRAPHS]
    items = "".join(f"<li>{i}</li>" for i in LIST_ITEMS)
    return f"""<!DOCTYPE html><html lang="en"><head>
<title>Night buses for the north | Example Gazette</title>
<meta property="og:title" content="Night buses for the north">
{head_extra}
</head><body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience on our site.
By continuing to browse you accept our cookie policy.</p><button>Accept all cookies</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather forecast for the weekend</a></li></ul></nav></header>
<main><article>
<h1>Council extends night buses to the northern districts</h1>
{"".join(paras[:2])}
<h2>{SUBHEADING}</h2>
{"".join(paras[2:])}
<ul>{items}</ul>
</article>
<aside class="related"><h3>Most read</h3><ul>
<li><a href="/a">Storm closes the harbour bridge for the second time this month</a></li>
<li><a href="/b">Local bakery wins the national bread award again</a></li></ul></aside>
</main>
{body_extra}
<footer><p>Copyright 2024 Example Gazette. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a></footer>
</body></html>"""


def test_article_paragraphs_heading_and_list_are_kept():
    text = page.extract(sample(), url="https://news.example/2024/night-buses").text
    for para in PARAGRAPHS:
        assert para in text
    assert SUBHEADING in text
    for item in LIST_ITEMS:
        assert item in text
    # reading order is preserved
    assert text.index(PARAGRAPHS[1]) < text.index(SUBHEADING) < text.index(PARAGRAPHS[2])


def test_navigation_cookie_banner_related_and_footer_are_dropped():
    text = page.extract(sample(), url="https://news.example/2024/night-buses").text
    for junk in ("We use cookies", "Accept all cookies", "Weather forecast", "Politics", "Most read",
                 "harbour bridge", "bakery", "All rights reserved", "Privacy policy"):
        assert junk not in text, junk


def test_headline_is_the_title_not_the_first_body_line():
    doc = page.extract(sample(), url="https://news.example/2024/night-buses")
    assert doc.title == "Night buses for the north"
    assert "Council extends night buses" not in doc.text.split("\n")[0]
    assert doc.text.startswith(PARAGRAPHS[0])


def test_html_comment_inside_a_paragraph_does_not_cut_it():
    # React and other renderers leave <!-- --> between text nodes; the text after it is article text.
    html_text = sample().replace("shift workers who had", "shift workers <!-- -->who had")
    text = page.extract(html_text, url="https://news.example/2024/night-buses").text
    assert "shift workers who had no way home after midnight." in text


def test_dates_authors_and_canonical_from_json_ld_and_meta():
    head = """
<link rel="canonical" href="https://news.example/2024/night-buses">
<meta property="article:published_time" content="2024-01-16T09:30:00+01:00">
<meta property="article:modified_time" content="0001-01-01T00:00:00Z">
<meta name="author" content="Jana Novak">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Example Gazette"},
  {"@type": "NewsArticle", "headline": "Council extends night buses",
   "datePublished": "2024-01-16T08:30:00Z", "dateModified": "2024-01-16T12:00:00Z",
   "author": [{"@type": "Person", "name": "Jana Novak"}]}]}</script>"""
    doc = page.extract(sample(head_extra=head), url="https://news.example/2024/night-buses?utm_source=x")
    assert doc.canonical_url == "https://news.example/2024/night-buses"
    assert doc.title == "Council extends night buses"  # JSON-LD headline first
    assert doc.published[:2] == ["2024-01-16T08:30:00Z", "2024-01-16T09:30:00+01:00"]
    assert doc.modified == ["2024-01-16T12:00:00Z"]  # the 0001-01-01 placeholder is not a date
    assert doc.authors[0] == "Jana Novak"
    assert doc.language == "en"


def test_placeholder_date_alone_leaves_no_published_candidate_from_it():
    head = '<meta property="article:published_time" content="0001-01-01T00:00:00Z">'
    doc = page.extract(sample(head_extra=head))
    assert all(not v.startswith("0001") for v in doc.published)


def test_hostile_deep_nesting_is_rejected_as_too_large():
    deep = "<html><body>" + "<div>" * (page.MAX_DEPTH + 50) + "x" + "</div>" * (page.MAX_DEPTH + 50) + "</body></html>"
    with pytest.raises(Rejected) as err:
        page.extract(deep)
    assert err.value.reason == "too_large"


@pytest.mark.parametrize("html_tag", ['<html lang="en" />', "<html/>", '<html xmlns="http://www.w3.org/1999/xhtml"/>',
                                      '<html lang="en" />\n', '\n<HTML LANG="en"/>\n'])
def test_self_closing_html_tag_does_not_empty_the_body(html_tag):
    # libxml2 closes the document at a self-closing <html/>: the page must be repaired before our parse,
    # as trafilatura repairs the string it parses itself.
    html = sample().replace('<html lang="en">', html_tag, 1)
    tree, _ = page._parse(html)  # the tree every lxml-based candidate and the metadata pass read
    assert PARAGRAPHS[0] in tree.text_content()
    doc = page.extract(html, url="https://news.example/2024/night-buses")
    for para in PARAGRAPHS:
        assert para in doc.text
    assert doc.title == "Night buses for the north"


def test_nesting_just_under_the_limit_is_parsed():
    depth = page.MAX_DEPTH - 3  # html and body count too
    html = "<html><body>" + "<div>" * depth + " ".join(PARAGRAPHS) + "</div>" * depth + "</body></html>"
    assert PARAGRAPHS[0] in page.extract(html).text


def test_unparseable_input_is_rejected_as_no_content():
    with pytest.raises(Rejected) as err:
        page.extract("")
    assert err.value.reason == "no_content"


def test_choose_takes_the_candidate_the_others_agree_with():
    article = " ".join(PARAGRAPHS)
    with_sidebar = article + " Storm closes the harbour bridge. Local bakery wins the national bread award."
    fragment = PARAGRAPHS[0]
    assert choose([with_sidebar, article, article + " Read more"]) == article
    assert choose([fragment, article, with_sidebar]) == article
    assert choose(["", "   ", fragment]) == fragment  # empty candidates do not vote
    assert choose([]) == ""


def test_drop_headline_only_removes_leading_headline_lines():
    text = "Council extends night buses\nFirst paragraph.\nCouncil extends night buses"
    assert drop_headline(text, ["Council extends night buses!"]) == (
        "First paragraph.\nCouncil extends night buses"
    )
    assert drop_headline("First paragraph.", ["Something else"]) == "First paragraph."


# -- the marked article container (body.container): taken only when the probe agrees ------------------

STORY = [
    "The regional water board approved a plan on Monday to rebuild the old pumping station by the river, "
    "which has flooded the lower town three times in the past ten years.",
    "Engineers told the board that the new station would move twice as much water and run on its own "
    "generators when the power fails, as it did during the storm of last November.",
    "Residents of the lower town, who had asked for the work for years, filled the public gallery and "
    "applauded when the vote was announced shortly before noon.",
    "Construction is to start in the spring and last about eighteen months, during which a temporary "
    "pump will stand on the car park beside the ferry landing.",
]


def story_page(container_open: str, container_close: str, teaser: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return f"""<!DOCTYPE html><html lang="en"><head><title>Pumping station | River Courier</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li></ul></nav>
{teaser}
{container_open}<h1>Water board approves new pumping station</h1>{paras}{container_close}
<footer><p>River Courier, all rights reserved.</p></footer></body></html>"""


@pytest.mark.parametrize(("opening", "closing"), [
    ('<div itemprop="articleBody">', "</div>"),
    ("<article>", "</article>"),
    ('<div class="entry-content">', "</div>"),
    ('<section class="article-body">', "</section>"),
    ("<main><div>", "</div></main>"),  # no marked container: the whole page
])
def test_the_story_comes_out_whichever_container_marks_it(opening, closing):
    text = page.extract(story_page(opening, closing), url="https://courier.example/pumping-station").text
    for para in STORY:
        assert para in text
    assert "all rights reserved" not in text


@pytest.mark.parametrize("teaser", [
    '<article class="teaser"><h3><a href="/other">Ferry timetable changes for the summer season</a></h3>'
    "<p>The ferry will run every half hour from June.</p></article>",
    '<div itemprop="articleBody"><p>Subscribe to our newsletter for the latest local news every morning.</p></div>',
])
def test_a_marked_container_that_is_not_the_story_gives_way(teaser):
    # The page's only <article> (or articleBody) is a teaser or a widget, and the story sits in an
    # unmarked <div>: trafilatura on the container alone disagrees with resiliparse on the whole page,
    # so the whole page is extracted.
    html = story_page('<div class="col">', "</div>", teaser=teaser)
    text = page.extract(html, url="https://courier.example/pumping-station").text
    for para in STORY:
        assert para in text

