"""Data packages from the reading pages: a case, or every case, as a Frictionless Data Package (zip) as of
and as known on the page's dates; the same package as the read API's, to the same people: whoever may
read the case's pages (reading.access: a published case, or one shared by link, to anyone) gets it,
without anyone's name for the public; a private case is 404 to them, as its pages are."""

import functools

from django.http import HttpResponse

from measures.importing.datapackage import MEDIA_TYPE, build_package, default_as_of, kept_case_package, package_filename
from measures.roles import readable_cases
from reading.access import PUBLIC, audience_of, case_reader, cases_reader
from reading.caching import cached_page
from reading.views.base import _period, refused


def _download(data, filename):
    response = HttpResponse(data, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@case_reader
@functools.partial(cached_page, kept_elsewhere=True)
def case_package(request, slug):
    case = request.viewer.case  # loaded by case_reader
    form, period = _period(request, case)
    if form.errors:
        return refused(form, "data package")
    rule = "given" if period.as_of_given else default_as_of(case, None)[1]
    data = kept_case_package(
        case, as_of=period.as_of, as_of_rule=rule, known_on=period.known_on, authors=request.viewer.shows_names
    )
    return _download(data, package_filename(case.slug, period.as_of, period.known_on))


@cases_reader
@cached_page
def all_cases_package(request):
    """Every case the visitor may read (measures.roles.readable_cases: the published ones for the public)."""
    form, period = _period(request)
    if form.errors:
        return refused(form, "data package")
    # Without a date, each case as of its own default (today, or its end date once closed), as the case list.
    as_of = period.as_of if period.as_of_given else None
    cases = [(case, *default_as_of(case, as_of)) for case in readable_cases(request.user).order_by("slug")]
    data = build_package(
        cases,
        known_on=period.known_on,
        name="all-cases",
        title="De-escalation Tracker: all cases",
        authors=audience_of(request) != PUBLIC,
    )
    return _download(data, package_filename("all-cases", as_of, period.known_on))
