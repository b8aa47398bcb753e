"""The report queue is served fairly: a reader's new PDF waits behind the jobs of readers with fewer under
way (measures.models.LeasedJob.enqueue), not behind everything asked for before it. Oldest first, one
reader's queued PDFs delayed a colleague's for minutes."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from measures.models import ReportJob
from tests import factories
from tests.scenarios import build_case

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def ask(client, case, day):
    url = reverse("measures:report_pdf", args=[case.slug]) + f"?as_of=2024-01-31&since=2024-01-{day:02d}"
    assert client.get(url).status_code == 302


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE, REPORT_JOBS_PER_USER=10)
def test_a_colleagues_first_report_is_made_after_one_readers_first_not_after_all_of_them(client):
    case = build_case()
    client.force_login(factories.reader(username="busy"))
    for day in (1, 2, 3, 4):
        ask(client, case, day)
    client.force_login(factories.reader(username="colleague"))
    ask(client, case, 5)

    # The order in which the worker takes the tasks (django-tasks-db: highest priority, then oldest).
    order = []
    for result in DBTaskResult.objects.ready():
        job = ReportJob.objects.get(pk=result.args_kwargs["args"][0])
        order.append((job.requested_by.username, job.since.day))
    assert order == [("busy", 1), ("colleague", 5), ("busy", 2), ("busy", 3), ("busy", 4)]
