"""A value typed into an address is quoted printably in the message that refuses it, on every path a
refused parameter takes: a page's notices (pager, filter, sort, search), a refused download's plain
text and the report's 400 page (measures.lib.text.printable)."""

import pytest
from django.urls import reverse

from tests.scenarios import build_case


@pytest.fixture
def case(db):
    return build_case()


def url(name, case, query):
    return f"{reverse(f'measures:{name}', args=[case.slug])}?{query}"


@pytest.mark.parametrize(
    ("name", "query", "shown"),
    [
        ("event_list", "page=%00", "“&lt;U+0000&gt;” is not a page number: showing the first page."),
        ("source_list", "page=1%0D%0A2", "“1&lt;U+000D&gt;&lt;U+000A&gt;2” is not a page number"),
        ("measure_detail_1", "history=%E2%80%AE2", "“&lt;U+202E&gt;2” is not a page number of the assessment history"),
        ("dashboard", "level=%00full", "Level: “&lt;U+0000&gt;full” is not a level of the scale."),
        ("dashboard", "sort=%1Btitle", "Sort: “&lt;U+001B&gt;title” is not a column the table sorts by."),
        ("event_list", "direction=%C2%85", "“&lt;U+0085&gt;” is not a direction"),
    ],
)
def test_a_page_quotes_a_refused_value_printably(reader_client, case, name, query, shown):
    if name == "measure_detail_1":
        address = f"{case.measures.get(number=1).get_absolute_url()}?{query}"
    else:
        address = url(name, case, query)
    response = reader_client.get(address)
    content = response.content.decode()
    assert response.status_code == 200
    assert shown in content
    assert not any(char in content for char in "\x00\x1b\x85\u202e\r")


def test_a_refused_download_quotes_the_value_printably(reader_client, case):
    response = reader_client.get(f"{reverse('measures:matrix')}?_export=csv&theme=%00x%0A")
    assert response.status_code == 400
    assert response.content.decode() == "No export made. Theme: “<U+0000>x<U+000A>” is not a theme of the catalogue."


def test_the_search_quotes_a_refused_language_printably(reader_client, case):
    response = reader_client.get(f"{reverse('measures:search')}?q=talks&language=e%1Bn")
    assert "“e&lt;U+001B&gt;n” is not a language tag" in response.content.decode()
    assert "\x1b" not in response.content.decode()


@pytest.mark.parametrize("name", ["report", "report_pdf"])
def test_the_report_quotes_a_refused_paper_printably(reader_client, case, name):
    response = reader_client.get(url(name, case, "as_of=2024-01-31&paper=a%005"))
    assert response.status_code == 400
    assert "“Paper” must be a4 or letter, not “a&lt;U+0000&gt;5”." in response.content.decode()
    assert "\x00" not in response.content.decode()


def test_the_search_quotes_control_characters_of_the_query_printably_in_its_title_and_count(reader_client, case):
    response = reader_client.get(reverse("measures:search"), {"q": "talks\x1b\u202e"})
    content = response.content.decode()
    title = content.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "“talks&lt;U+001B&gt;&lt;U+202E&gt;” · Search" in title
    assert "for “<bdi>talks&lt;U+001B&gt;&lt;U+202E&gt;</bdi>”" in content
    # The box keeps what was typed, to be corrected there.
    assert 'value="talks\x1b\u202e"' in content
