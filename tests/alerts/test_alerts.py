"""Alerts: new setback evidence against a standing judgement sends one alert, once, through the worker's
task after the write, to a real SMTP server; levels changed, commitments overdue; access and choices."""

import datetime

from measures import services
from measures.models import Alert, Citation, Notification, Source, Subscription
from measures.services.alerts import detect_changes
from tests import factories

SETBACK_TEXT = "Border guards exchanged fire again on 25 January, and talks on mediation were suspended."


def _new_setback_on_measure_3(case):
    """A source dated 25 January whose passage is setback evidence for measure 3 (mediation), whose
    judgement in force (Minimal, 19 January) it is newer than."""
    source = Source.objects.create(
        title="Border clash report",
        publisher="Test wire",
        label="Test wire",
        kind=Source.Kind.NEWS_REPORT,
        published_on=datetime.date(2024, 1, 25),
        full_text=SETBACK_TEXT,
    )
    citation = services.create_citation(case=case, source=source, quote=SETBACK_TEXT)
    return services.attach_evidence(citation=citation, measure=case.measures.get(number=3), stance="setback")


def test_new_setback_evidence_against_a_standing_judgement_sends_one_alert_once(
    pakistan_iran, smtp_mail, django_capture_on_commit_callbacks
):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)

    with django_capture_on_commit_callbacks(execute=True):  # the write's hook queues detection (run at once here)
        _new_setback_on_measure_3(pakistan_iran)

    assert len(smtp_mail.messages) == 1
    recipients, message = smtp_mail.messages[0]
    assert recipients == ["follower@example.org"]
    assert message["Subject"] == (
        "Pakistan–Iran crisis, January 2024: new setback evidence challenges a standing judgement"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Measure 3. Mediation and arbitration: new setback evidence challenges" in text
    assert "the judgement in force for Iran, Pakistan" in text
    assert "Mediation and arbitration" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.CONTESTED

    # Detected again (a retry, a second worker, the daily check): nothing new, nothing sent.
    assert detect_changes(pakistan_iran) == []
    from alerts.delivery import deliver_due

    assert deliver_due() == (0, 0, 0)
    assert len(smtp_mail.messages) == 1
    assert Notification.objects.filter(recipient=reader).count() == 1


def test_a_subscriber_who_did_not_ask_for_contested_alerts_is_not_told(
    pakistan_iran, smtp_mail, django_capture_on_commit_callbacks
):
    reader = factories.reader(username="quiet", email="quiet@example.org")
    services.subscribe(user=reader, case=pakistan_iran, contested=False)
    with django_capture_on_commit_callbacks(execute=True):
        _new_setback_on_measure_3(pakistan_iran)
    assert smtp_mail.messages == []
    assert Alert.objects.count() == 1  # detected all the same: another subscriber could want it


def test_a_user_who_lost_access_receives_nothing_about_the_case(
    pakistan_iran, smtp_mail, django_capture_on_commit_callbacks
):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)
    reader.groups.clear()  # no role any more: may not read the case
    with django_capture_on_commit_callbacks(execute=True):
        _new_setback_on_measure_3(pakistan_iran)
    assert smtp_mail.messages == []
    assert not Notification.objects.filter(recipient=reader).exists()


def test_access_lost_after_an_alert_was_queued_drops_it_unsent(pakistan_iran, smtp_mail):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)
    _new_setback_on_measure_3(pakistan_iran)
    detect_changes(pakistan_iran)
    notification = Notification.objects.get(recipient=reader)
    reader.groups.clear()
    from alerts.delivery import deliver_due

    assert deliver_due() == (0, 0, 1)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert "may not read" in notification.last_error
    assert smtp_mail.messages == []


def test_a_level_change_is_an_alert_naming_the_parties_and_levels(pakistan_iran, smtp_mail):
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=pakistan_iran)
    analyst = factories.analyst(username="analyst")
    measure = pakistan_iran.measures.get(number=3)
    citation = Citation.objects.filter(case=pakistan_iran, evidence__measure=measure).first()
    recorded = services.record_assessment(
        measure=measure,
        party=pakistan_iran.assessed_parties.get(code="PAK"),
        level="intermediate",
        rationale="Mediation accepted (test).",
        citations=[citation],
        recorded_by=analyst,
        effective_date=datetime.date(2024, 1, 28),
    )
    assert detect_changes(pakistan_iran) == []  # awaiting review: it changes nothing yet
    services.approve_assessment(assessment=recorded, reviewer=factories.reviewer(username="second-pair"))
    alerts = detect_changes(pakistan_iran)
    assert [a.kind for a in alerts] == [Alert.Kind.LEVEL]
    assert "Pakistan Minimal (1) → Intermediate (2)" in alerts[0].summary
    from alerts.delivery import deliver_due

    assert deliver_due() == (1, 0, 0)
    assert "level changed" in smtp_mail.messages[0][1]["Subject"]


def test_a_commitment_that_passes_its_due_date_unjudged_is_an_overdue_alert(db, smtp_mail):
    case = factories.CaseFactory(start_date=datetime.date(2024, 1, 1))
    measure = factories.MeasureFactory(case=case, number=1)
    citation = factories.CitationFactory(case=case)
    analyst = factories.analyst(username="analyst")
    reader = factories.reader(username="follower", email="follower@example.org")
    services.subscribe(user=reader, case=case)
    services.record_commitment(
        case=case,
        measure=measure,
        parties=list(case.assessed_parties.all()),
        what="Withdraw the troops",
        due_precision="day",
        due_on=datetime.date(2024, 2, 1),
        citations=[citation],
        announced_on=datetime.date(2024, 1, 2),
        recorded_by=analyst,
    )
    detect_changes(case, today=datetime.date(2024, 1, 20))  # upcoming: the baseline
    due = detect_changes(case, today=datetime.date(2024, 2, 1))
    # The case is active and has had no evidence for over 30 days: its measure became stale the same day.
    assert sorted(a.kind for a in due) == [Alert.Kind.COMMITMENT_DUE, Alert.Kind.STALE]
    overdue = detect_changes(case, today=datetime.date(2024, 2, 2))
    assert [a.kind for a in overdue] == [Alert.Kind.COMMITMENT_OVERDUE]
    assert "Withdraw the troops" in overdue[0].summary
    assert Subscription.objects.get(user=reader).commitments
    # Told of the commitment twice; not of staleness, which this subscription did not ask for.
    assert Notification.objects.filter(recipient=reader).count() == 2


def test_detection_runs_a_fixed_number_of_queries(pakistan_iran, django_assert_max_num_queries):
    services.subscribe(user=factories.reader(username="follower"), case=pakistan_iran)
    with django_assert_max_num_queries(30):
        detect_changes(pakistan_iran)
