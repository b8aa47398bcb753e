from django.urls import path

from . import reports, views

app_name = "measures"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/<slug:slug>/", views.dashboard, name="dashboard"),
    path("cases/<slug:slug>/measures/<int:number>/", views.measure_detail, name="measure_detail"),
    path("cases/<slug:slug>/events/", views.event_list, name="event_list"),
    path("cases/<slug:slug>/events/<int:pk>/", views.event_detail, name="event_detail"),
    path("cases/<slug:slug>/sources/", views.source_list, name="source_list"),
    path("cases/<slug:slug>/sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("cases/<slug:slug>/report/", reports.report, name="report"),
    path("cases/<slug:slug>/report.pdf", reports.report_pdf, name="report_pdf"),
]
