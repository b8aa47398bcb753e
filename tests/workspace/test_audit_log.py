"""One audit log: every change across the deployment (what, which record, who, when, through which path),
logins too, on an administrators' page filterable by person, case, kind and date, exported as CSV."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import AuditEntry, Case, Source
from measures.services.accounts import lift_login_lock
from tests import factories
from tests.helpers import ROWS, change_form_data, csv_bytes

LOG = "admin:measures_auditentry_changelist"
EXPORT = "admin:measures_auditentry_export"


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("pk"))


def test_an_admin_edit_is_logged_with_its_user_path_case_and_fields(client, db):
    analyst = factories.analyst(username="ana")
    client.force_login(analyst)
    event = factories.EventFactory(title="Strike")
    url = reverse("admin:measures_event_change", args=[event.pk])
    response = client.post(url, change_form_data(client.get(url), title="Strike on the border post"))
    assert response.status_code == 302
    (entry,) = entries(kind="event", action="change")
    assert (entry.username, entry.user, entry.path, entry.case_id) == ("ana", analyst, "admin", event.case_id)
    assert "changed: title" in entry.detail and entry.object_repr.endswith("Strike on the border post")


def test_assessments_and_reviews_are_logged_through_the_pages_that_made_them(client, db):
    measure = factories.MeasureFactory()
    citation = factories.CitationFactory(case=measure.case)
    analyst, reviewer = factories.analyst(username="ana"), factories.reviewer(username="rev")
    client.force_login(analyst)
    party = measure.case.assessed_parties.first()
    response = client.post(
        reverse("admin:measures_measure_assess", args=[measure.pk]),
        {
            f"level_{party.pk}": "minimal",
            f"confidence_{party.pk}": "medium",
            "rationale": "Talks began.",
            "citations": [citation.pk],
            "evidence_stance": "progress",
            "seen": 0,
        },
    )
    assert response.status_code == 302
    (recorded,) = entries(action="record")
    assert (recorded.username, recorded.path, recorded.kind, recorded.case_id) == (
        "ana",
        "admin",
        "assessment",
        measure.case_id,
    )
    client.force_login(reviewer)
    queue = reverse("admin:measures_assessment_review")
    client.post(queue, {"decision": "return", "assessment": recorded.object_id, "comment": "Which talks?"})
    (returned,) = entries(action="return")
    assert (returned.username, returned.detail) == ("rev", "Which talks?")


def test_commands_name_their_user_in_the_log_and_the_history(db, case_data, tmp_path):
    operator = factories.administrator(username="operator")
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case_data), encoding="utf-8")
    call_command("load_case", str(path), "--user", "operator", stdout=io.StringIO())
    case = Case.objects.get(slug=case_data["case"]["slug"])
    loaded = entries(case=case)
    assert loaded and {e.username for e in loaded} == {"operator"} and {e.path for e in loaded} == {"case_file"}
    assert entries(action="load", kind="case")[0].object_repr == str(case)
    assert case.history.first().history_user == operator  # the History pages name them too
    assert case.measures.first().assessments.first().recorded_by == operator

    events = tmp_path / "events.csv"
    events.write_bytes(csv_bytes(ROWS))
    call_command("import_events", case.slug, str(events), "--user", "operator", stdout=io.StringIO())
    imported = entries(kind="event", path="import")
    assert imported and {e.username for e in imported} == {"operator"}
    assert entries(action="import")[0].detail.startswith("4 added")


def test_a_command_refuses_an_unknown_user_and_writes_nothing(db, case_data, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case_data), encoding="utf-8")
    logged = AuditEntry.objects.count()  # the parallel run once found entries here before the command ran
    with pytest.raises(CommandError, match="no account “nobody”"):
        call_command("load_case", str(path), "--user", "nobody")
    assert not Case.objects.exists() and AuditEntry.objects.count() == logged


def test_the_demo_data_generator_is_logged(db):
    factories.administrator(username="bench")
    call_command("generate_demo_data", "--scale", "1", "--user", "bench", stdout=io.StringIO())
    (entry,) = entries(action="generate")
    assert (entry.username, entry.path) == ("bench", "command") and "cases" in entry.detail


def test_logins_failed_logins_and_lockouts_are_logged(client, db, settings):
    amina = factories.analyst(username="amina")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "amina", "password": "Hunter2-secret"}, REMOTE_ADDR="192.0.2.10")
    assert len(entries(action="login_failed", username="amina")) >= settings.AXES_FAILURE_LIMIT - 1
    (lockout,) = entries(action="lockout")
    assert lockout.username == "amina" and "192.0.2.10" in lockout.detail
    # The username stays locked from every address until the lock ends or an administrator lifts it.
    lift_login_lock(user=amina, by="administrator")
    client.post(
        reverse("admin:login"),
        {"username": "amina", "password": "correct horse battery staple"},
        REMOTE_ADDR="198.51.100.7",
    )
    (login,) = entries(action="login")
    assert (login.username, login.path) == ("amina", "login") and "admin login page" in login.detail
    logged = " ".join(f"{e.detail} {e.object_repr}" for e in AuditEntry.objects.all())
    assert "Hunter2-secret" not in logged  # never a password


@pytest.mark.parametrize(
    "make_user, status",
    [(factories.reader, 403), (factories.analyst, 403), (factories.reviewer, 403), (factories.administrator, 200)],
)
def test_only_administrators_read_the_log(client, db, make_user, status):
    client.force_login(make_user())
    assert client.get(reverse(LOG)).status_code == status
    assert client.get(reverse(EXPORT)).status_code == status


def test_the_log_filters_by_person_case_kind_and_date_and_exports_what_it_shows(client, db):
    admin = factories.administrator(username="boss")
    ana = factories.analyst(username="ana")
    one, other = factories.CaseFactory(slug="one"), factories.CaseFactory(slug="other")
    AuditEntry.objects.record(action="change", kind="measure", object_repr="=HYPERLINK(1)", case=one, user=ana)
    AuditEntry.objects.record(action="change", kind="event", object_repr="Talks", case=other, user=ana)
    AuditEntry.objects.record(action="add", kind="source", object_repr="-2+3", user=admin, detail="line\nbreak")
    client.force_login(admin)
    assert client.get(reverse(LOG), {"user__id__exact": ana.pk}).context["cl"].result_count == 2
    by_case = client.get(reverse(LOG), {"case__id__exact": one.pk}).context["cl"].result_list
    # (making the cases was logged too: their "added" entries)
    assert {e.case_id for e in by_case} == {one.pk} and "=HYPERLINK(1)" in [e.object_repr for e in by_case]
    assert client.get(reverse(LOG), {"kind__exact": "source"}).context["cl"].result_count == 1
    today = timezone.localtime(AuditEntry.objects.first().at).date()
    day = {"at__year": today.year, "at__month": today.month, "at__day": today.day}  # the date hierarchy's links
    dated = client.get(reverse(LOG), {**day, "kind__exact": "event"})
    assert client.get(reverse(LOG), {**day, "at__year": today.year + 1}).context["cl"].result_count == 0
    assert dated.context["cl"].result_count == 1

    response = client.get(reverse(EXPORT), {"user__id__exact": ana.pk})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["when", "who", "path", "what"] and len(rows) == 3
    assert "'=HYPERLINK(1)" in [cell for row in rows for cell in row]  # a formula made inert
    everything = list(csv.reader(io.StringIO(b"".join(client.get(reverse(EXPORT)).streaming_content).decode())))
    cells = [cell for row in everything for cell in row]
    assert "'-2+3" in cells and "line break" in cells


def test_the_log_page_costs_the_same_queries_with_more_entries(client, db, django_assert_max_num_queries):
    admin = factories.administrator(username="boss")
    client.force_login(admin)
    for n in range(150):
        AuditEntry.objects.record(action="add", kind="source", object_repr=f"Source {n}", user=admin)
    client.get(reverse(LOG))
    with django_assert_max_num_queries(14):
        response = client.get(reverse(LOG))
    assert response.status_code == 200 and "Source 149" in response.content.decode()


def test_a_deleted_record_stays_in_the_log(client, db):
    admin = factories.administrator(username="boss")
    client.force_login(admin)
    source = factories.SourceFactory(title="To be removed")
    client.post(reverse("admin:measures_source_delete", args=[source.pk]), {"post": "yes"})
    assert not Source.objects.filter(pk=source.pk).exists()
    (deleted,) = entries(action="delete", kind="source")
    assert (deleted.object_repr, deleted.username) == ("To be removed", "boss")


def test_a_share_link_is_logged_when_made_and_revoked(db):
    admin = factories.administrator(username="boss")
    case = factories.CaseFactory(visibility=Case.Visibility.SHARED)
    link = services.create_share_link(case=case, expires_on=datetime.date(2099, 1, 1), created_by=admin)
    services.revoke_share_link(link=link, revoked_by=admin)
    assert [e.action for e in entries(kind="sharelink")] == ["add", "revoke"]
