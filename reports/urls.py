"""The report's URLs: the HTML report and its PDF made by the background worker. Served under the
namespace "measures" with the reading pages (tracker/urls.py)."""

from django.urls import path

from reading import converters  # noqa: F401  (registers the "id" converter)
from reports import views

urlpatterns = [
    path("cases/<slug:slug>/report/", views.report, name="report"),
    path("cases/<slug:slug>/report.pdf", views.report_pdf, name="report_pdf"),
    path("cases/<slug:slug>/report/pdf/<id:pk>/", views.report_job, name="report_job"),
    path("cases/<slug:slug>/report/pdf/<id:pk>/download", views.report_job_download, name="report_job_download"),
    path("cases/<slug:slug>/report/pdf/<id:pk>/retry", views.report_job_retry, name="report_job_retry"),
]
