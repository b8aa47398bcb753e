"""The pages of a document's intake: what a document pre-fills is what the form can save, the reading's
page and the upload page share their breadcrumbs, and the reading's page costs a fixed number of queries."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from measures.lib import text
from measures.models import ExtractionJob, Source
from tests import documents

pytestmark = pytest.mark.usefixtures("media_root")
INTAKE = "admin:measures_source_intake"
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def upload(client, data, name):
    return client.post(reverse(INTAKE), {"file": SimpleUploadedFile(name, data), "text": ""})


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("Safe \u202egnp.exe", "Safe gnp.exe"),
        ("  Statement\non the call\t ", "Statement on the call"),
        ("Iran\u200e talks", "Iran talks"),
        ("بیانیه\u200cی وزارت", "بیانیه\u200cی وزارت"),  # a joiner that does something stays
        ("\u200b\u3164", ""),
        (None, ""),
    ],
)
def test_a_value_from_a_document_is_cleaned_to_what_a_line_takes(value, cleaned):
    assert text.clean_line(value) == cleaned
    if cleaned:
        text.single_line(cleaned)


def test_a_word_title_with_an_override_is_pre_filled_cleaned_and_saves(analyst_client):
    # The title used to be pre-filled as it was (shown reversed), and the save was then refused.
    data = documents.word_document(title="Statement \u202eno the call")
    review = upload(analyst_client, data, "statement.docx")  # tasks run in the request here
    form = review.context["review"]
    assert form["title"].value() == "Statement no the call"
    post = {name: form[name].value() or "" for name in form.fields}
    post.update(kind=Source.Kind.OFFICIAL_STATEMENT, published_on="2024-01-20")
    saved = analyst_client.post(reverse(INTAKE), post)
    assert saved.status_code == 302, saved.context["review"].errors
    assert Source.objects.get().title == "Statement no the call"


def _breadcrumbs(response):
    return re.search(r'<ol class="breadcrumbs">.*?</ol>', response.content.decode(), re.S).group()


def test_the_reading_page_and_the_upload_page_share_their_breadcrumbs(analyst_client):
    with override_settings(TASKS=DUMMY):
        waiting = analyst_client.get(upload(analyst_client, documents.text_file(), "notes.txt")["Location"])
    page = analyst_client.get(reverse(INTAKE))
    assert _breadcrumbs(waiting).replace("Reading the document", "X") == _breadcrumbs(page).replace(
        "Add a source from a document", "X"
    )
    assert "admin/measures/includes/source_intake_breadcrumbs.html" in [t.name for t in waiting.templates]


def test_the_reading_page_costs_a_fixed_number_of_queries(analyst_client, django_assert_num_queries):
    with override_settings(TASKS=DUMMY):
        for number in range(2):  # the page reads one job, however many the analyst has
            upload(analyst_client, documents.text_file(), f"notes-{number}.txt")
    job = ExtractionJob.objects.order_by("pk").last()
    url = reverse(INTAKE) + f"?reading={job.pk}"
    # The job, and the password hash the admin's header asks for (has_usable_password: the cached account
    # leaves it out); session, account and permissions come from the cache.
    with django_assert_num_queries(2):
        waiting = analyst_client.get(url)
    assert waiting.status_code == 200 and waiting["Refresh"]
    done = upload(analyst_client, documents.text_file(), "read.txt")  # read at once: tasks run in the request
    assert done.context["review"] is not None
    job = ExtractionJob.objects.order_by("pk").last()
    with django_assert_num_queries(2):  # the same: the review form is filled from the job's result
        review = analyst_client.get(reverse(INTAKE) + f"?reading={job.pk}")
    assert review.status_code == 200 and review.context["review"] is not None
