"""The catalogue in the workspace: administrators edit themes and measure types (with history, and the
cases' pages following), everyone else views them, a type in use cannot be deleted, and an analyst
gives a measure its type from the catalogue, grouped by theme."""

import pytest
from django.urls import reverse

from measures.models import Case, Measure, MeasureType, Theme
from tests import factories
from tests.helpers import change_form_data


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(type=None)


def test_an_administrator_edits_a_type_and_every_case_page_follows(client, measure):
    client.force_login(factories.administrator(username="administrator"))
    measure_type = MeasureType.objects.get(slug="military-hotline")
    before = dict(Case.objects.values_list("pk", "data_version"))
    recorded = measure_type.history.count()  # none for the shipped row, unless a live-server test wrote one
    url = reverse("admin:measures_measuretype_change", args=[measure_type.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, change_form_data(page, pax_category="Ceasefire (Ce)", name="Military hotline (DGMO)"))
    assert response.status_code == 302
    measure_type.refresh_from_db()
    assert (measure_type.name, measure_type.pax_category) == ("Military hotline (DGMO)", "Ceasefire (Ce)")
    assert measure_type.history.count() == recorded + 1  # the edit is recorded
    after = dict(Case.objects.values_list("pk", "data_version"))
    assert all(after[pk] == version + 1 for pk, version in before.items())


def test_the_type_list_counts_each_types_measures_and_links_to_its_page_across_cases(client, measure):
    client.force_login(factories.administrator(username="administrator"))
    Measure.objects.filter(pk=measure.pk).update(type=MeasureType.objects.get(slug="ceasefire"))
    page = client.get(reverse("admin:measures_measuretype_changelist")).content.decode()
    ceasefire = MeasureType.objects.get(slug="ceasefire")
    assert f'href="/admin/measures/measure/?type__id__exact={ceasefire.pk}">1</a>' in page
    assert 'href="/matrix/types/ceasefire/">Compare</a>' in page
    themes = client.get(reverse("admin:measures_theme_changelist")).content.decode()
    assert "Military restraint and security" in themes


def test_a_type_or_theme_in_use_cannot_be_deleted(client, measure):
    client.force_login(factories.administrator(username="administrator"))
    ceasefire = MeasureType.objects.get(slug="ceasefire")
    Measure.objects.filter(pk=measure.pk).update(type=ceasefire)
    response = client.post(reverse("admin:measures_measuretype_delete", args=[ceasefire.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert MeasureType.objects.filter(pk=ceasefire.pk).exists()
    theme = ceasefire.theme
    client.post(reverse("admin:measures_theme_delete", args=[theme.pk]), {"post": "yes"})
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_an_analyst_views_the_catalogue_and_cannot_change_it(client, measure):
    client.force_login(factories.analyst(username="analyst"))
    measure_type = MeasureType.objects.get(slug="ceasefire")
    url = reverse("admin:measures_measuretype_change", args=[measure_type.pk])
    page = client.get(url).content.decode()
    assert "Ceasefire (Ce)" in page and 'name="_save"' not in page
    assert client.post(url, {"name": "Truce"}).status_code == 403
    assert MeasureType.objects.get(pk=measure_type.pk).name == "Ceasefire"


def test_an_analyst_gives_a_measure_its_type_chosen_under_its_theme(client, measure):
    client.force_login(factories.analyst(username="analyst"))
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    page = client.get(url)
    content = page.content.decode()
    assert '<optgroup label="Military restraint and security">' in content
    assert "No type (the matrix of cases leaves it out)" in content
    hotline = MeasureType.objects.get(slug="military-hotline")
    response = client.post(url, change_form_data(page, type=hotline.pk))
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).type == hotline
    listed = client.get(reverse("admin:measures_measure_changelist"), {"type__id__exact": hotline.pk})
    assert [m.pk for m in listed.context["cl"].result_list] == [measure.pk]
    wrong = client.post(url, change_form_data(client.get(url), type="999999"))
    assert wrong.status_code == 200 and "Select a valid choice" in wrong.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TOTAL_FORMS", "abc"),
        ("TOTAL_FORMS", ""),
        ("TOTAL_FORMS", "1e3"),
        ("TOTAL_FORMS", "²"),
        ("INITIAL_FORMS", "abc"),
    ],
)
def test_a_tampered_count_of_the_themes_types_gets_a_plain_message(client, db, field, value):
    # The theme's read-only list of types showed Django's "ManagementForm data is missing or has been
    # tampered with … file a bug report".
    client.force_login(factories.administrator(username="administrator"))
    theme = Theme.objects.get(slug="talks")
    url = reverse("admin:measures_theme_change", args=[theme.pk])
    page = client.get(url)
    (inline,) = page.context["inline_admin_formsets"]
    name = f"{inline.formset.prefix}-{field}"
    response = client.post(url, change_form_data(page, description="Changed", **{name: value}))
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.non_form_errors() == [
        f"The count of rows sent with the page ({name}) is missing or not a number, so nothing was saved: reload "
        "the page and make your changes again."
    ]
    assert "ManagementForm" not in response.text and "bug report" not in response.text
    theme.refresh_from_db()
    assert theme.description != "Changed"


def test_too_many_rows_for_the_themes_types_gets_a_plain_message(client, db):
    # It said "Please submit at most 0 forms." on a list that adds none.
    client.force_login(factories.administrator(username="administrator"))
    theme = Theme.objects.get(slug="talks")
    url = reverse("admin:measures_theme_change", args=[theme.pk])
    page = client.get(url)
    (inline,) = page.context["inline_admin_formsets"]
    data = change_form_data(page, description="Changed", **{f"{inline.formset.prefix}-TOTAL_FORMS": "99999999999"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The page sent more rows than can be saved here, so nothing was saved" in response.text
    assert "at most 0 forms" not in response.text
    theme.refresh_from_db()
    assert theme.description != "Changed"


@pytest.mark.parametrize("model", [MeasureType, Theme])
def test_a_type_or_theme_edited_again_is_saved_not_refused_as_a_colleagues_change(client, db, model):
    # The form carries the version it was opened with; these admins declare their own fields, and the
    # version was left out of them, so a second edit of a row (version 1) read as someone else's.
    client.force_login(factories.administrator(username="administrator"))
    row = model.objects.order_by("pk").first()
    opened = row.version
    url = reverse(f"admin:measures_{model._meta.model_name}_change", args=[row.pk])
    for name in (f"{row.name} (first edit)", f"{row.name} (second edit)"):
        page = client.get(url)
        assert 'name="seen_version"' in page.content.decode()
        response = client.post(url, change_form_data(page, name=name))
        assert response.status_code == 302, response.content.decode()[:2000]
        row.refresh_from_db()
        assert row.name == name
    assert row.version == opened + 2
