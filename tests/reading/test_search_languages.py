"""The languages the search page offers: those of the sources the searched cases cite and of the cases,
never one that only a case outside them cites, in a fixed number of queries."""

from measures.models import Case
from reading.views.search import _languages_found
from tests import factories


def test_only_the_languages_of_the_cases_searched_are_offered(db, django_assert_num_queries):
    read = factories.CaseFactory(slug="read", working_language="en")
    other = factories.CaseFactory(slug="other", working_language="en")
    for case, language in ((read, "ur"), (read, "ur"), (read, "hi"), (other, "th")):
        factories.CitationFactory(case=case, source=factories.SourceFactory(language=language))
    factories.SourceFactory(language="km")  # cited by no case
    with django_assert_num_queries(2):
        offered = _languages_found(Case.objects.filter(pk=read.pk), "fr-CA")
    assert offered == ["en", "fr-CA", "hi", "ur"]
    assert _languages_found(Case.objects.all(), "") == ["en", "hi", "th", "ur"]
    assert _languages_found(Case.objects.none(), "") == []
