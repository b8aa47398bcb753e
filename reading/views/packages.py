"""Data packages from the reading pages: a case, or every case, as a Frictionless Data Package (zip) as of
and as known on the page's dates; the same package as the read API's."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from measures.importing.datapackage import MEDIA_TYPE, build_package, default_as_of, package_filename
from measures.models import Case
from measures.roles import reader_required
from reading.caching import cached_page
from reading.views.base import _period, refused


def _download(data, filename):
    response = HttpResponse(data, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@reader_required
@cached_page
def case_package(request, slug):
    case = get_object_or_404(Case, slug=slug)
    form, period = _period(request, case)
    if form.errors:
        return refused(form, "data package")
    rule = "given" if period.as_of_given else default_as_of(case, None)[1]
    data = build_package([(case, period.as_of, rule)], known_on=period.known_on, name=case.slug, title=case.name)
    return _download(data, package_filename(case.slug, period.as_of, period.known_on))


@reader_required
@cached_page
def all_cases_package(request):
    form, period = _period(request)
    if form.errors:
        return refused(form, "data package")
    # Without a date, each case as of its own default (today, or its end date once closed), as the case list.
    as_of = period.as_of if period.as_of_given else None
    cases = [(case, *default_as_of(case, as_of)) for case in Case.objects.order_by("slug")]
    data = build_package(cases, known_on=period.known_on, name="all-cases", title="De-escalation Tracker: all cases")
    return _download(data, package_filename("all-cases", as_of, period.known_on))
