from django.urls import path
from django.views.generic import RedirectView

from . import pdf_jobs, reports, views

app_name = "measures"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    # The case list lives at the root; /cases/ is where people look for it.
    path("cases/", RedirectView.as_view(pattern_name="measures:case_list", query_string=True), name="cases"),
    path("cases/<slug:slug>/", views.dashboard, name="dashboard"),
    path("cases/<slug:slug>/measures/<int:number>/", views.measure_detail, name="measure_detail"),
    path("cases/<slug:slug>/events/", views.event_list, name="event_list"),
    path("cases/<slug:slug>/events/<int:pk>/", views.event_detail, name="event_detail"),
    path("cases/<slug:slug>/sources/", views.source_list, name="source_list"),
    path("cases/<slug:slug>/sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("sources/<int:pk>/original/", views.source_original, name="source_original"),
    path("cases/<slug:slug>/report/", reports.report, name="report"),
    path("cases/<slug:slug>/report.pdf", pdf_jobs.report_pdf, name="report_pdf"),
    path("cases/<slug:slug>/report/pdf/<int:pk>/", pdf_jobs.report_job, name="report_job"),
    path("cases/<slug:slug>/report/pdf/<int:pk>/download", pdf_jobs.report_job_download, name="report_job_download"),
    path("cases/<slug:slug>/report/pdf/<int:pk>/retry", pdf_jobs.report_job_retry, name="report_job_retry"),
]
