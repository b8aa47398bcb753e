"""Every admin URL of every model, for an anonymous visitor, a reader, an analyst, a reviewer and an
administrator; and the review queue.

The expected matrix is written out here, from the issue's definition of the roles, so that a change
to the groups' permissions or to an admin's has_*_permission shows up as a failing test.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from measures import models, services
from tests import factories

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERYTHING = {VIEW, ADD, CHANGE, DELETE}

MEASURES_MODELS = [
    "party",
    "case",
    "measure",
    "source",
    "event",
    "citation",
    "evidence",
    "assessment",
    "theme",
    "measuretype",
    "sharelink",
    "auditentry",
]
AUTH_MODELS = ["user", "group"]
READ_ONLY = {
    **{name: {VIEW} for name in MEASURES_MODELS},
    "sharelink": set(),
    "auditentry": set(),
    **{name: set() for name in AUTH_MODELS},
}

ALLOWED = {
    "reader": READ_ONLY,
    "reviewer": READ_ONLY,  # reads as a reader does; decides in the review queue (below)
    "analyst": {
        "party": {VIEW, ADD, CHANGE},
        "case": {VIEW, ADD, CHANGE},
        "measure": {VIEW, ADD, CHANGE},
        "source": EVERYTHING,
        "event": EVERYTHING,
        "citation": EVERYTHING,
        "evidence": EVERYTHING,
        "assessment": {VIEW, ADD},  # "Add" chooses a measure and opens its Assess page
        "theme": {VIEW},  # the shared catalogue: administrators edit it
        "measuretype": {VIEW},
        "sharelink": set(),
        "auditentry": set(),
        "user": set(),
        "group": set(),
    },
    "administrator": {
        **{name: EVERYTHING for name in MEASURES_MODELS + AUTH_MODELS},
        "assessment": {VIEW, ADD},  # append-only, for everyone: never changed or deleted
        "sharelink": {VIEW, ADD},  # revoked by an action, never edited or deleted
        "auditentry": {VIEW},  # the audit log: read and exported, never written by hand
    },
}
ROLES = list(ALLOWED)
MAY_REVIEW = {"reader": False, "analyst": False, "reviewer": True, "administrator": True}


@pytest.fixture
def world(db):
    """One row of every registered model; nothing depends on the deletable ones except where noted."""
    case = factories.CaseFactory(visibility=models.Case.Visibility.SHARED)
    measure = factories.MeasureFactory(case=case)
    event = factories.EventFactory(case=case, actors=list(case.assessed_parties.all()))
    citation = factories.CitationFactory(case=case, event=event)
    evidence = factories.EvidenceFactory(measure=measure, citation=citation)
    assessment = factories.AssessmentFactory(measure=measure, citations=[citation])
    theme = models.Theme.objects.create(slug="spare", name="Spare theme")
    measure_type = models.MeasureType.objects.create(slug="spare", name="Spare type", theme=theme, definition="A step.")
    users = {
        "reader": factories.reader(username="reader"),
        "analyst": factories.analyst(username="analyst"),
        "reviewer": factories.reviewer(username="reviewer"),
        "administrator": factories.administrator(username="administrator"),
    }
    link = services.create_share_link(
        case=case, expires_on=timezone.localdate() + datetime.timedelta(days=3), created_by=users["administrator"]
    )
    objects = {
        "party": case.assessed_parties.first(),
        "case": case,
        "measure": measure,
        "source": citation.source,
        "event": event,
        "citation": citation,
        "evidence": evidence,
        "assessment": assessment,
        "theme": theme,
        "measuretype": measure_type,
        "sharelink": link,
        "auditentry": models.AuditEntry.objects.first(),
        "user": users["analyst"],
        "group": Group.objects.get(name="Reader"),
    }
    return {"objects": objects, "users": users}


def admin_name(name):
    return f"auth_{name}" if name in AUTH_MODELS else f"measures_{name}"


def urls_of(name, obj):
    """(url, permission needed for a GET) for every page of the model's admin."""
    prefix = f"admin:{admin_name(name)}"
    urls = [
        (reverse(f"{prefix}_changelist"), VIEW),
        (reverse(f"{prefix}_add"), ADD),
        (reverse(f"{prefix}_change", args=[obj.pk]), VIEW),
        (reverse(f"{prefix}_delete", args=[obj.pk]), DELETE),
        (reverse(f"{prefix}_history", args=[obj.pk]), VIEW),
    ]
    if hasattr(obj, "history"):
        record = obj.history.first()
        urls.append((reverse(f"{prefix}_simple_history", args=[obj.pk, record.history_id]), VIEW))
    return urls


def object_tools(page):
    """The buttons above a list or form (the sidebar has add links of its own)."""
    start = page.find('<ul class="object-tools">')
    return "" if start == -1 else page[start : page.index("</ul>", start)]


def snapshot():
    """Every row of every model the admin can touch, to prove a refused request changed nothing."""
    tables = [apps.get_model("measures", name) for name in MEASURES_MODELS] + [models.Review]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in tables}
    rows["citations of assessments"] = list(models.AssessmentCitation.objects.order_by("pk").values())
    rows["groups"] = list(Group.objects.order_by("pk").values("name", "permissions"))
    for model in tables:
        if hasattr(model, "history"):
            rows[f"history of {model.__name__}"] = model.history.count()
    return rows


def test_every_registered_model_is_in_the_matrix():
    registered = {model._meta.model_name for model in admin.site._registry}
    assert registered == set(MEASURES_MODELS + AUTH_MODELS + list(DERIVED_ALLOWED))


def test_anonymous_visitor_is_sent_to_the_login_page_everywhere(client, world):
    for name, obj in world["objects"].items():
        for url, _ in urls_of(name, obj):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("admin:login")), url
    measure = world["objects"]["measure"]
    response = client.get(reverse("admin:measures_measure_assess", args=[measure.pk]))
    assert response.status_code == 302
    assert client.get(reverse("admin:measures_assessment_review")).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_the_review_queue_is_for_reviewers_and_administrators(client, world, role):
    client.force_login(world["users"][role])
    url = reverse("admin:measures_assessment_review")
    pending = factories.AssessmentFactory(measure=world["objects"]["measure"], approved=False)
    assert client.get(url).status_code == (200 if MAY_REVIEW[role] else 403)
    response = client.post(url, {"decision": "approve", "assessment": pending.pk})
    assert response.status_code == (302 if MAY_REVIEW[role] else 403)
    assert pending.review_status == ("approved" if MAY_REVIEW[role] else "pending")


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_according_to_the_role(client, world, role):
    client.force_login(world["users"][role])
    for name, obj in world["objects"].items():
        allowed = ALLOWED[role][name]
        for url, needed in urls_of(name, obj):
            response = client.get(url)
            expected = 200 if needed in allowed else 403
            assert response.status_code == expected, f"{role} GET {url}: {response.status_code}, expected {expected}"


@pytest.mark.parametrize("role", ROLES)
def test_change_pages_show_save_buttons_only_to_those_who_may_change(client, world, role):
    client.force_login(world["users"][role])
    for name, obj in world["objects"].items():
        if VIEW not in ALLOWED[role][name]:
            continue
        page = client.get(reverse(f"admin:{admin_name(name)}_change", args=[obj.pk])).content.decode()
        can_change = CHANGE in ALLOWED[role][name]
        assert ('name="_save"' in page) is can_change, f"{role} on {name}"
        assert ('class="deletelink"' in page) is (DELETE in ALLOWED[role][name]), f"{role} on {name}"
        changelist = client.get(reverse(f"admin:{admin_name(name)}_changelist")).content.decode()
        assert ('class="addlink"' in object_tools(changelist)) is (ADD in ALLOWED[role][name]), f"{role} on {name}"


@pytest.mark.parametrize("role", ["reader", "analyst", "reviewer"])
def test_crafted_posts_beyond_the_role_get_403_and_change_nothing(client, world, role):
    client.force_login(world["users"][role])
    before = snapshot()
    for name, obj in world["objects"].items():
        allowed = ALLOWED[role][name]
        prefix = f"admin:{admin_name(name)}"
        payload = {"name": "Changed", "title": "Changed", "code": "ZZZ", "quote": "Changed", "rationale": "Changed"}
        posts = [
            (reverse(f"{prefix}_add"), ADD, payload),
            (reverse(f"{prefix}_change", args=[obj.pk]), CHANGE, payload),
            (reverse(f"{prefix}_delete", args=[obj.pk]), DELETE, {"post": "yes"}),
        ]
        for url, needed, data in posts:
            if needed in allowed:
                continue
            response = client.post(url, data)
            assert response.status_code == 403, f"{role} POST {url}: {response.status_code}"
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_revert_through_the_history_pages(client, world, role):
    client.force_login(world["users"][role])
    source = world["objects"]["source"]
    record = source.history.first()
    before = snapshot()
    url = reverse("admin:measures_source_simple_history", args=[source.pk, record.history_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Revert" not in page.content.decode()
    response = client.post(url, {"title": "Reverted", "kind": source.kind, "seen_version": source.version})
    assert response.status_code == 403
    assert snapshot() == before


def test_reader_cannot_record_an_assessment_by_page_or_by_post(client, world):
    client.force_login(world["users"]["reader"])
    measure, citation = world["objects"]["measure"], world["objects"]["citation"]
    party = measure.case.assessed_parties.first()
    url = reverse("admin:measures_measure_assess", args=[measure.pk])
    before = snapshot()
    assert client.get(url).status_code == 403
    data = {
        "party": party.pk,
        "level": "full",
        "confidence": "high",
        "effective_date": "2024-01-25",
        "rationale": "Done.",
        "citations": [citation.pk],
        "seen": 0,
    }
    assert client.post(url, data).status_code == 403
    bulk = {"action": "record_assessment", "_selected_action": [measure.pk], "apply": "1", **data}
    client.post(reverse("admin:measures_measure_changelist"), bulk)
    assert snapshot() == before
    change_page = client.get(reverse("admin:measures_measure_change", args=[measure.pk])).content.decode()
    assert "Record an assessment" not in change_page
    assert "record_assessment" not in client.get(reverse("admin:measures_measure_changelist")).content.decode()


def test_analyst_may_open_the_assessment_page_and_the_citation_search(client, world):
    client.force_login(world["users"]["analyst"])
    measure = world["objects"]["measure"]
    assert client.get(reverse("admin:measures_measure_assess", args=[measure.pk])).status_code == 200
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "measures", "model_name": "assessment", "field_name": "citations", "case": measure.case_id},
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(world["objects"]["citation"].pk)]


def test_readers_see_history_but_no_bulk_delete(client, world):
    client.force_login(world["users"]["reader"])
    source = world["objects"]["source"]
    before = snapshot()
    response = client.post(
        reverse("admin:measures_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert snapshot() == before
    assert models.Source.objects.filter(pk=source.pk).exists()


# Admins added with commitments and alerts: commitments are recorded and judged through their own pages
# (append-only: never changed or deleted here); notifications are shown to administrators only.
DERIVED_ALLOWED = {
    "commitment": {"reader": {VIEW}, "reviewer": {VIEW}, "analyst": {VIEW, ADD}, "administrator": {VIEW, ADD}},
    "notification": {"reader": set(), "reviewer": set(), "analyst": set(), "administrator": {VIEW}},
}


@pytest.fixture
def derived(world):
    case, measure = world["objects"]["case"], world["objects"]["measure"]
    analyst = world["users"]["analyst"]
    commitment = models.Commitment.objects.create(
        case=case,
        measure=measure,
        what="Ambassadors return to their posts.",
        announced_on=case.start_date,
        due_on=case.start_date,
        recorded_by=analyst,
    )
    notification = models.Notification.objects.create(
        recipient=analyst, case=case, key="digest-test", week_since=case.start_date, week_until=case.start_date
    )
    return {"commitment": commitment, "notification": notification}


@pytest.mark.parametrize("role", ["reader", "reviewer", "analyst", "administrator"])
def test_commitment_and_notification_admin_pages_answer_according_to_the_role(client, world, derived, role):
    client.force_login(world["users"][role])
    for name, obj in derived.items():
        allowed = DERIVED_ALLOWED[name][role]
        prefix = f"admin:measures_{name}"
        pages = [
            (reverse(f"{prefix}_changelist"), VIEW),
            (reverse(f"{prefix}_change", args=[obj.pk]), VIEW),
            (reverse(f"{prefix}_delete", args=[obj.pk]), DELETE),
            (reverse(f"{prefix}_history", args=[obj.pk]), VIEW),
        ]
        for url, needed in pages:
            response = client.get(url)
            expected = 200 if needed in allowed else 403
            assert response.status_code == expected, f"{role} GET {url}: {response.status_code}, expected {expected}"
