from django.urls import path, register_converter
from django.views.generic import RedirectView

from . import pdf_jobs, reports, views


class RowIdConverter:
    """A row id or number in a URL: 1 to 18 ASCII digits, so it always fits the databases' 64-bit
    integers (SQLite raised OverflowError on a 20-digit id, a server error); a longer one is a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowIdConverter, "id")

app_name = "measures"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    # The case list lives at the root; /cases/ is where people look for it.
    path("cases/", RedirectView.as_view(pattern_name="measures:case_list", query_string=True), name="cases"),
    path("cases/<slug:slug>/", views.dashboard, name="dashboard"),
    path("cases/<slug:slug>/measures/<id:number>/", views.measure_detail, name="measure_detail"),
    path("cases/<slug:slug>/events/", views.event_list, name="event_list"),
    path("cases/<slug:slug>/events/<id:pk>/", views.event_detail, name="event_detail"),
    path("cases/<slug:slug>/sources/", views.source_list, name="source_list"),
    path("cases/<slug:slug>/sources/<id:pk>/", views.source_detail, name="source_detail"),
    path("sources/<id:pk>/original/", views.source_original, name="source_original"),
    path("cases/<slug:slug>/report/", reports.report, name="report"),
    path("cases/<slug:slug>/report.pdf", pdf_jobs.report_pdf, name="report_pdf"),
    path("cases/<slug:slug>/report/pdf/<id:pk>/", pdf_jobs.report_job, name="report_job"),
    path("cases/<slug:slug>/report/pdf/<id:pk>/download", pdf_jobs.report_job_download, name="report_job_download"),
    path("cases/<slug:slug>/report/pdf/<id:pk>/retry", pdf_jobs.report_job_retry, name="report_job_retry"),
]
