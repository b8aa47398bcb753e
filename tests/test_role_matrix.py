"""The role matrix of reading: every role × every kind of page or endpoint × every state of a case
(private, published, shared by link), with the status each cell answers and whether the case is named
in it; whoever may not read a case never finds its name, its measure, its source, its author's or its
reviewer's name, nor an assessment awaiting review, in any answer (pages, exports, data packages, the
API, the matrix, search, feeds, the review queue, the workspace, the audit log).

Three cases live side by side, one in each state, each with a measure of the same catalogue type, a
source, a passage, an event, an approved assessment (its reviewer named) and one awaiting review. The
rules the expected table writes down (`expected`) are those of README "Review and publication" and
`reading.access`: readers and the team read every case; anyone else (anonymous, an account without a
role, the holder of a share link) reads the published case, and the link holder the shared one on its
pages; a case one may not read is 404 on its pages, as a case that does not exist.

The data packages answer as the case's pages and the API's do: whoever reads the case gets its package,
without names for the public. The unlock pages (asking for a mailed link, a link we did not sign) and the
page that follows a document's reading (one's own: 200; another's: 404, as a reading that does not exist)
are in the matrix too.

The figures (7 roles × 28 kinds × 3 states = 588 cells): 334 serve the case (200 with it named, or a
200 whose answer names no one), 254 do not (66 login redirects, 54 × 404, 36 × 403, 21 × 400, 12 × 401,
38 answers of 200 that list other cases but not this one, and 27 pages of 200 about no case: the unlock
request, one's own document reading)."""

import datetime
import io
import zipfile
from urllib.parse import quote

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from measures import search, services
from measures.models import Assessment, Case, ExtractionJob, MeasureType
from tests import factories

D = datetime.date
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
STATES = ("private", "published", "shared")
ROLES = ("anonymous", "no role", "reader", "analyst", "reviewer", "administrator", "link holder")
PUBLIC_ROLES = ("anonymous", "no role", "link holder")  # approved judgements only, no names
TEAM = ("analyst", "reviewer", "administrator")  # they see what awaits review
# A word each case's texts carry, so that search finds all three.
WORD = {"private": "Quillmoor", "published": "Brightwater", "shared": "Ashcombe"}
AUTHOR, REVIEWER = "matrix-author", "matrix-reviewer"
PENDING = "Awaiting review: nobody approved this judgement"

# kind: (URL name or builder, scope). "case" kinds are one case's addresses; "global" ones list cases.
CASE_KINDS = (
    "dashboard",
    "measure page",
    "events",
    "sources",
    "report HTML",
    "report PDF",
    "export CSV",
    "data package",
    "API case",
    "API assessments",
    "API data package",
    "feed",
    "workspace case",
)
GLOBAL_KINDS = (
    "case list",
    "matrix",
    "type page",
    "search",
    "API list",
    "API all cases package",
    "all cases package",
    "alerts",
    "review queue",
    "workspace cases",
    "audit log",
    "unlock request",
    "unlock link",
    "document reading",
    "another's document reading",
)
KINDS = CASE_KINDS + GLOBAL_KINDS


def reads_case(role, state):
    """Whether `role` reads the case's pages (README "Review and publication", reading.access)."""
    if role not in PUBLIC_ROLES:
        return True
    return state == "published" or (state == "shared" and role == "link holder")


def expected(role, kind, state):
    """(status, named): the status the cell answers and whether the case's name or its measure's title
    is in it (None: not asserted, the answer holds no names whoever asks, e.g. the API's history)."""
    public = role in PUBLIC_ROLES
    anonymous = role in ("anonymous", "link holder")
    reads = reads_case(role, state)
    login = 302  # to the login page (the site's or the admin's)
    api_reads = not public or state == "published"  # a shared case is read through its link, never the API
    api_refusal = 401 if anonymous else 403
    if kind in ("dashboard", "measure page", "events", "sources", "report HTML", "export CSV"):
        return (200, True) if reads else (404, False)
    if kind == "report PDF":  # the page following its making (made by the worker), in the case's name
        return (200, True) if reads else (404, False)
    if kind == "data package":  # as the case's pages: without names to the public (as the API's)
        return (200, True) if reads else (404, False)
    if kind == "all cases package":  # the cases one may read, as the API's
        return (200, not public or state == "published")
    if kind == "search":  # a role is needed
        if public:
            return (login if anonymous else 403, False)
        return (200, True)
    if kind in ("API case", "API data package"):
        return (200, True) if api_reads else (api_refusal, False)
    if kind == "API assessments":
        return (200, None) if api_reads else (api_refusal, False)
    if kind in ("API list", "API all cases package"):
        return (200, api_reads)
    if kind == "feed":  # for a logged-in account that reads the case (or its signed token)
        return (200, True) if not anonymous and reads else (404, False)
    if kind in ("workspace case", "workspace cases"):
        return (login, False) if public else (200, True)
    if kind == "case list":  # followed: a public visitor with one published case lands on its dashboard
        return (200, not public or state == "published")
    if kind in ("matrix", "type page"):
        return (200, not public or state == "published")
    if kind == "alerts":  # the cases one may follow
        if anonymous:
            return (login, False)
        return (200, not public or state == "published")
    if kind == "review queue":
        if public:
            return (login, False)
        return (200, True) if role in ("reviewer", "administrator") else (403, False)
    if kind == "audit log":
        if public:
            return (login, False)
        return (200, None) if role == "administrator" else (403, False)
    if kind == "unlock request":  # anyone may ask for a link; the page names no case
        return (200, False)
    if kind == "unlock link":  # a link we did not sign lifts nothing, whoever opens it
        return (400, False)
    if kind in ("document reading", "another's document reading"):  # the workspace's, who may add sources
        if public:
            return (login, False)
        if role in ("reader", "reviewer"):
            return (403, False)
        return (200, False) if kind == "document reading" else (404, False)
    raise ValueError(kind)


def _case(state, *, ceasefire, author, reviewer):
    word = WORD[state]
    case = factories.CaseFactory(
        name=f"{word} crisis",
        slug=f"{word.lower()}-crisis",
        visibility={"private": Case.Visibility.PRIVATE, "published": Case.Visibility.PUBLISHED}.get(
            state, Case.Visibility.SHARED
        ),
    )
    measure = factories.MeasureFactory(case=case, number=1, title=f"{word} ceasefire talks", type=ceasefire)
    source = factories.SourceFactory(
        title=f"{word} dispatch", full_text=f"The {word} ceasefire held. Envoys agreed to de-escalate."
    )
    event = factories.EventFactory(case=case, title=f"{word} meeting", date=D(2024, 1, 19))
    citation = factories.CitationFactory(case=case, source=source, quote=f"The {word} ceasefire held.", event=event)
    factories.EvidenceFactory(measure=measure, citation=citation)
    factories.AssessmentFactory(
        measure=measure,
        citations=[citation],
        recorded_by=author,
        approved=reviewer,
        rationale=f"The {word} ceasefire held.",
        recorded_at=timezone.now() - datetime.timedelta(days=2),
    )
    factories.AssessmentFactory(
        measure=measure,
        citations=[citation],
        recorded_by=author,
        approved=False,
        level=Assessment.Level.INTERMEDIATE,
        rationale=PENDING,
    )
    return case


@pytest.fixture
def world(db):
    ceasefire = MeasureType.objects.get(slug="ceasefire")
    author = factories.analyst(username=AUTHOR)
    reviewer = factories.reviewer(username=REVIEWER)
    cases = {state: _case(state, ceasefire=ceasefire, author=author, reviewer=reviewer) for state in STATES}
    services.touch_cases({case.pk for case in cases.values()})
    search.rebuild()
    # A document the author uploaded, waiting to be read: its page is the author's alone.
    reading_job = ExtractionJob.objects.create(requested_by=author, name="dispatch.html", size=10).pk
    for case in cases.values():
        case.reading_job = reading_job
    return cases


def _client(role, world):
    client = Client(raise_request_exception=False)
    users = {
        "no role": lambda: factories.UserFactory(username="m-no-role", is_staff=False),
        "reader": lambda: factories.reader(username="m-reader"),
        "analyst": lambda: factories.analyst(username="m-analyst"),
        "reviewer": lambda: factories.reviewer(username="m-reviewer"),
        "administrator": lambda: factories.administrator(username="m-admin"),
    }
    if role in users:
        user = users[role]()
        client.force_login(user)
        # A document this user uploaded, waiting for the worker (the page follows its reading).
        client.reading_job = ExtractionJob.objects.create(requested_by=user, name="notes.txt", size=10).pk
    else:
        client.reading_job = world["published"].reading_job
    if role == "link holder":
        link = services.create_share_link(
            case=world["shared"],
            expires_on=timezone.localdate() + datetime.timedelta(days=7),
            created_by=factories.administrator(username="m-link-maker"),
        )
        assert client.get(link.get_absolute_url()).status_code == 302
    return client


def _url(kind, case, client=None):
    slug = case.slug
    intake = reverse("admin:measures_source_intake")
    case_urls = {
        "dashboard": reverse("measures:dashboard", args=[slug]),
        "measure page": reverse("measures:measure_detail", args=[slug, 1]),
        "events": reverse("measures:event_list", args=[slug]),
        "sources": reverse("measures:source_list", args=[slug]),
        "report HTML": reverse("measures:report", args=[slug]),
        "report PDF": reverse("measures:report_pdf", args=[slug]),
        "export CSV": reverse("measures:dashboard", args=[slug]) + "?_export=csv",
        "data package": reverse("measures:case_package", args=[slug]),
        "API case": f"/api/v1/cases/{slug}/",
        "API assessments": f"/api/v1/cases/{slug}/assessments/",
        "API data package": f"/api/v1/cases/{slug}/package.zip",
        "feed": reverse("alerts:case_feed", args=[slug]),
        "workspace case": reverse("admin:measures_case_change", args=[case.pk]),
        "case list": reverse("measures:case_list"),
        "matrix": reverse("measures:matrix"),
        "type page": reverse("measures:measure_type", args=["ceasefire"]),
        "search": reverse("measures:search") + "?q=ceasefire",
        "API list": "/api/v1/cases/",
        "API all cases package": "/api/v1/package.zip",
        "all cases package": reverse("measures:all_cases_package"),
        "alerts": reverse("alerts:subscriptions"),
        "review queue": reverse("admin:measures_assessment_review"),
        "workspace cases": reverse("admin:measures_case_changelist"),
        "audit log": reverse("admin:measures_auditentry_changelist"),
        "unlock request": reverse("alerts:unlock_request"),
        "unlock link": reverse("alerts:unlock", args=["not-a-signed-token"]),
        "document reading": f"{intake}?reading={getattr(client, 'reading_job', 0)}",
        "another's document reading": f"{intake}?reading={case.reading_job}",
    }
    return case_urls[kind]


def _text(response):
    """What the answer says, whatever its form: a zip's files joined, a redirect's address."""
    if response.status_code in (301, 302):
        return response["Location"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def _get(client, kind, case):
    """(response, what it says but the address asked for, which a refusal may echo: the login page's
    `next`, the API problem's `instance`)."""
    url = _url(kind, case, client)
    with override_settings(TASKS=DUMMY_TASKS):  # a PDF is queued for the worker, not made in the request
        response = client.get(url)
        if kind in ("case list", "report PDF") and response.status_code == 302:
            response = client.get(response["Location"])
    text = _text(response)
    path = url.split("?")[0]
    for echo in (url, path, quote(url, safe=""), quote(path, safe="")):
        text = text.replace(echo, "")
    return response, text


def _marks(case):
    word = WORD[_state(case)]
    return (case.name, f"{word} ceasefire talks")


def _state(case):
    return next(state for state, word in WORD.items() if case.name.startswith(word))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_what_it_may_and_never_learns_what_it_may_not(role, world):
    """One role's row of the matrix: every kind of page × every case state. Names of people (the
    author, the reviewer) and judgements awaiting review never reach the public or readers where the
    rules keep them from them."""
    client = _client(role, world)
    wrong = []
    for kind in KINDS:
        for state in STATES:
            case = world[state]
            response, text = _get(client, kind, case)
            status, named = expected(role, kind, state)
            found = any(mark in text for mark in _marks(case))
            cell = f"{role} × {kind} × {state}"
            if response.status_code != status:
                wrong.append(f"{cell}: status {response.status_code}, expected {status}")
            if named is not None and found != named:
                wrong.append(f"{cell}: the case is {'named' if found else 'not named'}, expected the opposite")
            if not reads_case(role, state) and (WORD[state] in text or case.slug in text):
                wrong.append(f"{cell}: a case this role may not read is mentioned ({WORD[state]})")
            if role in PUBLIC_ROLES and (AUTHOR in text or REVIEWER in text):
                wrong.append(f"{cell}: a person is named to the public")
            if role not in TEAM and PENDING in text:
                wrong.append(f"{cell}: a judgement awaiting review is shown")
    assert not wrong, "\n".join(wrong)
