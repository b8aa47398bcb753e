"""Fair shares of costly work done inside a request: one analyst may have IMPORTS_PER_USER events imports
under way at once (documents are read by the worker: tests/workspace/test_source_intake_jobs.py); one more
is refused (429) with a message naming the limit and nothing done, a colleague is not touched, and a slot
is given back when the work ends, fails, or its process dies (WORK_SLOT_SECONDS)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

import workspace.admin.cases as case_admin
from measures import services
from measures.intake import event_imports
from measures.models import Event, WorkKind, WorkSlot
from tests import factories
from tests.helpers import ROWS, csv_bytes

TEXT = b"<html><head><title>Envoys return</title></head><body><p>Both envoys return to their posts.</p></body></html>"


def import_url(case):
    return f"/admin/measures/case/{case.pk}/import-events/"


def preview(client, case):
    upload = SimpleUploadedFile("events.csv", csv_bytes(ROWS), "text/csv")
    return client.post(import_url(case), {"csv_file": upload, "_preview": "1"})


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def during_the_first(monkeypatch):
    """during_the_first(module, name, other): while the first call of module.name runs, `other()` runs
    (the same analyst's second tab, a colleague); returns the list that collects what `other` returns."""

    def install(module, name, other):
        original, results = getattr(module, name), []

        def first_call(*args, **kwargs):
            monkeypatch.setattr(module, name, original)
            results.append(other())
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, first_call)
        return results

    return install


def test_a_second_events_import_at_once_is_refused_and_a_colleagues_is_not(pakistan_iran, settings, during_the_first):
    settings.IMPORTS_PER_USER = 1
    analyst = factories.analyst(username="analyst")
    colleague = factories.analyst(username="colleague")
    events = Event.objects.count()
    seconds = during_the_first(
        case_admin,
        "import_events",
        lambda: (preview(logged_in(analyst), pakistan_iran), preview(logged_in(colleague), pakistan_iran)),
    )

    first = preview(logged_in(analyst), pakistan_iran)

    assert first.status_code == 200 and "Preview: 4 events to add" in first.content.decode()
    (again, colleagues) = seconds[0]
    assert again.status_code == 429
    page = again.content.decode()
    assert "You already have 1 events file import under way" in page and "IMPORTS_PER_USER" in page
    assert again.context["preview"] is None
    assert colleagues.status_code == 200 and colleagues.context["preview"] is not None
    assert Event.objects.count() == events  # previews write nothing; the refused one did nothing
    assert not WorkSlot.objects.exists()  # every slot given back


def test_the_import_itself_counts_and_its_slot_is_given_back_when_it_fails(
    pakistan_iran, settings, during_the_first, monkeypatch
):
    settings.IMPORTS_PER_USER = 1
    analyst = factories.analyst(username="analyst")
    client = logged_in(analyst)
    assert preview(client, pakistan_iran).status_code == 200
    events = Event.objects.count()
    # The import runs in the worker (here inside the request): while it runs, it is the analyst's one import.
    seconds = during_the_first(event_imports, "import_events", lambda: preview(logged_in(analyst), pakistan_iran))

    response = client.post(import_url(pakistan_iran), {"_import": "1"})

    assert response.status_code == 302
    assert seconds[0].status_code == 429
    assert Event.objects.count() == events + 4
    assert not WorkSlot.objects.exists()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(case_admin, "import_events", broken)
    with pytest.raises(RuntimeError):
        preview(client, pakistan_iran)
    assert not WorkSlot.objects.exists()


def test_a_slot_left_by_a_killed_process_stops_counting_after_its_lease(pakistan_iran, settings):
    settings.IMPORTS_PER_USER = 1
    analyst = factories.analyst(username="analyst")
    now = timezone.now()
    WorkSlot.objects.create(
        user=analyst, kind=WorkKind.EVENT_IMPORT, started_at=now, expires_at=now + datetime.timedelta(minutes=5)
    )
    assert preview(logged_in(analyst), pakistan_iran).status_code == 429
    WorkSlot.objects.update(
        started_at=now - datetime.timedelta(hours=1), expires_at=now - datetime.timedelta(seconds=1)
    )
    assert preview(logged_in(analyst), pakistan_iran).status_code == 200
    assert not WorkSlot.objects.exists()


def test_the_operators_commands_take_no_slot(db, settings):
    settings.IMPORTS_PER_USER = 1
    with services.work_slot(user=None, kind=WorkKind.EVENT_IMPORT) as slot:
        assert slot is None
        with services.work_slot(user=None, kind=WorkKind.EVENT_IMPORT):
            pass
    analyst = factories.analyst(username="analyst")
    with services.work_slot(user=analyst, kind=WorkKind.EVENT_IMPORT):
        assert WorkSlot.objects.count() == 1
        with pytest.raises(services.WorkLimitReached, match="1 events file import"):
            with services.work_slot(user=analyst, kind=WorkKind.EVENT_IMPORT):
                pass
    assert not WorkSlot.objects.exists()
