"""Issue 19's "done when", as people do it in Debian's Chromium: an analyst records an assessment of the
Pakistan–Iran case (pending to the analyst, unchanged to a reader); a second person, a reviewer, approves
it from the review queue and it counts on the dashboard, the measure page and the report; approving
one's own is refused; an administrator publishes the case, and in a fresh browser without a login its
dashboard, a measure page, the report and the PDF open while a private case answers 404; the audit log
shows all of it with the names of those who did it."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from measures.models import Assessment, AuditEntry, Case, Review
from tests import factories
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.pdf, pytest.mark.django_db(transaction=True)]

RATIONALE = "Liaison officers agreed for deployment in each other's countries (Regional mediation op-ed)."


def _level_of(page, party):
    """The level in force for `party` on a measure page, as the page writes it."""
    return page.locator("dt", has_text=party).first.locator("xpath=following-sibling::dd[1]").inner_text()


def _logged_in(browser, live_server, username):
    context = browser.new_context()
    page = context.new_page()
    admin_login(page, live_server, username)
    return page


def test_four_eyes_then_publication_then_the_audit_log(browser, live_server, pakistan_iran_committed, artifacts_dir):
    case = pakistan_iran_committed
    measure = case.measures.get(number=5)
    dashboard = f"{live_server.url}/cases/{case.slug}/"
    measure_page = f"{dashboard}measures/5/"
    factories.analyst(username="amira")
    factories.reviewer(username="rahim")
    factories.reader(username="rita")
    factories.administrator(username="ada")
    secret = factories.CaseFactory(name="Unpublished crisis", slug="unpublished-crisis")

    # The analyst records Intermediate for Pakistan on measure 5 (Border management), citing a passage.
    analyst = _logged_in(browser, live_server, "amira")
    analyst.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/assess/")
    analyst.get_by_label("Level for Pakistan").select_option(label="Intermediate (2)")
    analyst.locator("textarea[name=rationale]").fill(RATIONALE)
    analyst.locator(".field-citations .select2-selection").click()
    analyst.locator(".select2-search__field").fill("liaison officers")
    analyst.locator(".select2-results__option", has_text="military liaison officers").first.click()
    stance = analyst.get_by_label("Newly cited passages show")
    if stance.is_visible():
        stance.select_option(label="Shows progress")
    analyst.get_by_role("button", name="Record", exact=True).click()
    expect(analyst.locator(".messagelist")).to_contain_text("Recorded:")
    recorded = Assessment.objects.get(rationale=RATIONALE)
    assert recorded.recorded_by.username == "amira" and not Review.objects.filter(assessment=recorded).exists()

    # Pending to the analyst, on the dashboard and the measure page; the level in force has not moved.
    analyst.goto(dashboard)
    expect(analyst.locator(".review-panel, .flag-pending").first).to_contain_text("Pending review")
    analyst.goto(measure_page)
    expect(analyst.get_by_text("Pending review").first).to_be_visible()
    assert _level_of(analyst, "Pakistan").startswith("Minimal")
    analyst.screenshot(path=artifacts_dir / "review-pending-analyst.png", full_page=True)

    # Unchanged to a reader: no trace of it, the level as before.
    reader = _logged_in(browser, live_server, "rita")
    reader.goto(dashboard)
    reader_dashboard = reader.locator("main").inner_text()
    assert "Pending review" not in reader_dashboard and "amira" not in reader_dashboard
    reader.goto(measure_page)
    assert _level_of(reader, "Pakistan").startswith("Minimal")
    assert RATIONALE not in reader.locator("main").inner_text()
    reader.goto(f"{dashboard}report/")
    assert RATIONALE not in reader.locator("main").inner_text()

    # The analyst may not approve it: the queue is for reviewers.
    response = analyst.goto(f"{live_server.url}/admin/measures/assessment/review/")
    assert response.status == 403

    # A second person, a reviewer, approves it from the queue.
    reviewer = _logged_in(browser, live_server, "rahim")
    reviewer.goto(f"{live_server.url}/admin/measures/assessment/review/")
    item = reviewer.locator(f"#review-{recorded.pk}")
    expect(item).to_contain_text("Recorded by amira")
    expect(item).to_contain_text("military liaison officers")
    reviewer.screenshot(path=artifacts_dir / "review-queue.png", full_page=True)
    item.get_by_role("button", name="Approve").click()
    expect(reviewer.locator(f"#review-{recorded.pk}")).to_have_count(0)
    review = Review.objects.get(assessment=recorded)
    assert (review.decision, review.reviewer.username) == (Review.Decision.APPROVED, "rahim")

    # Now it counts everywhere: the reader's measure page, dashboard and report.
    reader.goto(measure_page)
    assert _level_of(reader, "Pakistan").startswith("Intermediate")
    assert RATIONALE in reader.locator("main").inner_text()
    reader.goto(dashboard)
    assert reader.locator("main").inner_text() != reader_dashboard
    reader.goto(f"{dashboard}report/")
    assert RATIONALE in reader.locator("main").inner_text()

    # Approving one's own is refused: an administrator who records one finds no approve button for it,
    # and a decision sent anyway leaves it waiting.
    admin = _logged_in(browser, live_server, "ada")
    admin.goto(f"{live_server.url}/admin/measures/measure/{measure.pk}/assess/")
    admin.get_by_label("Level for Iran").select_option(label="Intermediate (2)")
    admin.locator("textarea[name=rationale]").fill("The administrator's own judgement (liaison officers).")
    admin.locator(".field-citations .select2-selection").click()
    admin.locator(".select2-search__field").fill("liaison officers")
    admin.locator(".select2-results__option", has_text="military liaison officers").first.click()
    admin.get_by_role("button", name="Record", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("Recorded:")
    own = Assessment.objects.get(recorded_by__username="ada")
    admin.goto(f"{live_server.url}/admin/measures/assessment/review/")
    own_item = admin.locator(f"#review-{own.pk}")
    expect(own_item).to_contain_text("You recorded this assessment")
    expect(own_item.get_by_role("button", name="Approve")).to_have_count(0)
    token = admin.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    admin.request.post(
        f"{live_server.url}/admin/measures/assessment/review/",
        form={"csrfmiddlewaretoken": token, "assessment": str(own.pk), "decision": "approve"},
        headers={"Referer": f"{live_server.url}/admin/measures/assessment/review/"},
    )
    assert not Review.objects.filter(assessment=own).exists()

    # The administrator publishes the case.
    admin.goto(f"{live_server.url}/admin/measures/case/{case.pk}/change/")
    admin.get_by_label("Visibility").select_option(value=Case.Visibility.PUBLISHED)
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("changed successfully")
    assert Case.objects.get(pk=case.pk).visibility == Case.Visibility.PUBLISHED

    # A fresh browser, logged in as no one: the dashboard, a measure page, the report and the PDF open.
    public = browser.new_context()
    visitor = public.new_page()
    for url in (dashboard, measure_page, f"{dashboard}report/"):
        response = visitor.goto(url)
        assert response.status == 200, url
        text = visitor.locator("main").inner_text()
        assert "Last reviewed" in text or "last reviewed" in text, url
        assert not re.search(r"\b(amira|rahim|ada)\b", visitor.content()), url
    visitor.goto(measure_page)
    assert _level_of(visitor, "Pakistan").startswith("Intermediate")  # approved: it counts for the public too
    visitor.screenshot(path=artifacts_dir / "published-measure-page.png", full_page=True)
    pdf = public.request.get(f"{dashboard}report.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    first_page = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "Pakistan" in first_page and "amira" not in first_page
    assert visitor.goto(f"{live_server.url}/cases/{secret.slug}/").status == 404
    assert visitor.goto(f"{live_server.url}/cases/no-such-case/").status == 404
    assert "Unpublished crisis" not in visitor.content()
    public.close()

    # The audit log shows all of it, with names: newest first, the case's entries, then the logins.
    admin.goto(f"{live_server.url}/admin/measures/auditentry/?case__id__exact={case.pk}")
    rows = admin.locator("#result_list tbody tr")
    admin.screenshot(path=artifacts_dir / "audit-log.png", full_page=True)
    for who, did, what in [
        ("amira", "Recorded", "assessment"),
        ("rahim", "Approved", "assessment"),
        ("ada", "Recorded", "assessment"),
        ("ada", "Changed", "case"),
    ]:
        expect(rows.filter(has_text=who).filter(has_text=did).filter(has_text=what).first).to_be_visible()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPROVE, username="ada").exists()
    admin.goto(f"{live_server.url}/admin/measures/auditentry/?action__exact=login")
    logins = admin.locator("#result_list tbody").inner_text()
    for name in ("amira", "rahim", "rita", "ada"):
        assert name in logins, name
