"""The admin's event import: upload, preview (nothing saved), import; bad files named, nothing saved."""

from django.core.files.uploadedfile import SimpleUploadedFile

from measures.models import Event
from tests.helpers import ROWS, csv_bytes


def url(case):
    return f"/admin/measures/case/{case.pk}/import-events/"


def upload(client, case, content, name="events.csv"):
    return client.post(url(case), {"csv_file": SimpleUploadedFile(name, content, "text/csv"), "_preview": "1"})


def test_analyst_previews_then_imports(analyst_client, pakistan_iran):
    page = analyst_client.get(f"/admin/measures/case/{pakistan_iran.pk}/change/").content.decode()
    assert url(pakistan_iran) in page
    count = Event.objects.count()

    response = upload(analyst_client, pakistan_iran, csv_bytes(ROWS))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: 4 events to add, 0 already there" in page
    assert "c. 22 Jan 2024" in page and "February 2024" in page
    assert Event.objects.count() == count  # a preview saves nothing

    response = analyst_client.post(url(pakistan_iran), {"_import": "1"})
    assert response.status_code == 302
    assert Event.objects.count() == count + 4
    assert pakistan_iran.events.filter(key="acled-PAK1").exists()

    response = upload(analyst_client, pakistan_iran, csv_bytes(ROWS))
    assert "Preview: 0 events to add, 4 already there" in response.content.decode()


def test_bad_file_is_refused_naming_the_row(analyst_client, pakistan_iran):
    rows = [["X", "31/02/2024", "1", "Battles", "Government of Pakistan", "", "", "", "", ""]]
    count = Event.objects.count()
    response = upload(analyst_client, pakistan_iran, csv_bytes(rows))
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "line 2, event_date: “31/02/2024” is not a date" in page
    assert Event.objects.count() == count


def test_file_in_another_encoding_is_refused(analyst_client, pakistan_iran):
    rows = [["X", "2024-01-20", "1", "Battles", "Government of Pakistan", "", "Peshâwar", "", "", ""]]
    response = upload(analyst_client, pakistan_iran, csv_bytes(rows, encoding="latin-1"))
    assert "line 2: not UTF-8 text" in response.content.decode()


def test_too_large_upload_is_refused(analyst_client, pakistan_iran):
    response = upload(analyst_client, pakistan_iran, b"event_date\n" + b"x" * (2 * 1024 * 1024 + 10))
    page = response.content.decode()
    assert "at most 2 MB is taken here" in page
    assert "Preview" in page


def test_import_without_preview_imports_nothing(analyst_client, pakistan_iran):
    count = Event.objects.count()
    response = analyst_client.post(url(pakistan_iran), {"_import": "1"})
    assert response.status_code == 302
    assert Event.objects.count() == count


def test_reader_cannot_import(client, reader_user, pakistan_iran):
    client.force_login(reader_user)
    response = client.get(url(pakistan_iran))
    assert response.status_code in (302, 403)


def test_preview_lists_updates_and_removals_then_the_import_applies_them(analyst_client, pakistan_iran):
    upload(analyst_client, pakistan_iran, csv_bytes(ROWS))
    analyst_client.post(url(pakistan_iran), {"_import": "1"})
    revised = list(ROWS[1])
    revised[7] = "11"
    deletions = csv_bytes([["PAK4"]], ["event_id_cnty"])
    response = analyst_client.post(
        url(pakistan_iran),
        {
            "csv_file": SimpleUploadedFile("events.csv", csv_bytes([ROWS[0], revised, ROWS[2]]), "text/csv"),
            "deletions_file": SimpleUploadedFile("deleted.csv", deletions, "text/csv"),
            "_preview": "1",
        },
    )
    page = response.content.decode()
    assert "1 to update, 1 to remove" in page
    assert "<td>fatalities</td><td>9</td><td>11</td>" in page
    assert "Protests: Government of Pakistan, Quetta (PAK4)" in page
    assert pakistan_iran.events.get(external_id="PAK2").fatalities == 9  # a preview saves nothing

    response = analyst_client.post(url(pakistan_iran), {"_import": "1"})
    assert response.status_code == 302
    assert pakistan_iran.events.get(external_id="PAK2").fatalities == 11
    assert not pakistan_iran.events.filter(external_id="PAK4").exists()


def test_a_complete_export_removes_what_it_no_longer_holds(analyst_client, pakistan_iran):
    upload(analyst_client, pakistan_iran, csv_bytes(ROWS))
    analyst_client.post(url(pakistan_iran), {"_import": "1"})
    response = analyst_client.post(
        url(pakistan_iran),
        {"csv_file": SimpleUploadedFile("events.csv", csv_bytes(ROWS[:2]), "text/csv"), "sync": "on", "_preview": "1"},
    )
    assert "0 to update, 2 to remove" in response.content.decode()
    analyst_client.post(url(pakistan_iran), {"_import": "1"})
    assert sorted(pakistan_iran.events.exclude(external_id="").values_list("external_id", flat=True)) == [
        "PAK1",
        "PAK2",
    ]
