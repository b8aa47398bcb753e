"""The reading pages' URLs. tracker/urls.py serves them with the report's under the one stable
namespace "measures" (measures:dashboard, measures:report…)."""

from django.urls import path
from django.views.generic import RedirectView

from reading import (
    converters,  # noqa: F401  (registers the "id" converter)
    views,
)

urlpatterns = [
    path("", views.case_list, name="case_list"),
    # The case list lives at the root; /cases/ is where people look for it.
    path("cases/", RedirectView.as_view(pattern_name="measures:case_list", query_string=True), name="cases"),
    path("cases/<slug:slug>/", views.dashboard, name="dashboard"),
    # Data packages (Frictionless, zip): a case, and every case, as of and as known on the page's dates.
    path("cases/<slug:slug>/package.zip", views.case_package, name="case_package"),
    path("package.zip", views.all_cases_package, name="all_cases_package"),
    path("cases/<slug:slug>/measures/<id:number>/", views.measure_detail, name="measure_detail"),
    path("cases/<slug:slug>/events/", views.event_list, name="event_list"),
    path("cases/<slug:slug>/events/<id:pk>/", views.event_detail, name="event_detail"),
    path("cases/<slug:slug>/sources/", views.source_list, name="source_list"),
    path("cases/<slug:slug>/sources/<id:pk>/", views.source_detail, name="source_detail"),
    path("sources/<id:pk>/original/", views.source_original, name="source_original"),
    # Cases compared on the shared catalogue of measure types.
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/types/<slug:type_slug>/", views.measure_type, name="measure_type"),
    path("search/", views.search, name="search"),
    # A share link (signed, read-only, with an expiry date) to a case shared by link.
    path("shared/<str:token>/", views.shared_link, name="shared_link"),
]
