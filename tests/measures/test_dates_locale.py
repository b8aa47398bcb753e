"""One date format on pages, in the admin and in exports (the site locale's); ISO dates in inputs."""

import datetime
import re
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from reading.forms import PeriodForm
from tests import factories
from tests.scenarios import build_case

D = datetime.date


@pytest.fixture
def case(db):
    return build_case()


def test_the_same_date_reads_the_same_on_the_dashboard_the_export_and_the_admin(analyst_client, case):
    dashboard = analyst_client.get(reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31"})
    export = analyst_client.get(
        reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31", "_export": "csv"}
    )
    admin_list = analyst_client.get(reverse("admin:measures_measure_changelist"))

    assert '<time datetime="2024-01-22">22 Jan 2024</time>' in dashboard.content.decode()
    assert "22 Jan 2024" in export.content.decode()
    assert "2024-01-22" not in export.content.decode()
    assert "22 Jan 2024" in admin_list.content.decode()
    for text in (dashboard.content.decode(), admin_list.content.decode()):
        assert "22/01/2024" not in text and "01/22/2024" not in text


def test_the_site_locale_setting_changes_every_date(analyst_client, case):
    with override_settings(LANGUAGE_CODE="en-us"), translation.override("en-us"):
        dashboard = analyst_client.get(reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31"})
        export = analyst_client.get(
            reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31", "_export": "csv"}
        )
    assert '<time datetime="2024-01-22">Jan 22, 2024</time>' in dashboard.content.decode()
    assert "Jan 22, 2024" in export.content.decode()


def test_a_site_locale_without_formats_stops_the_process():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "tracker.settings", "SITE_LOCALE": "xx-yy", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SITE_LOCALE must be one of en-gb, en-us, not 'xx-yy'" in result.stderr


def test_reading_pages_take_iso_dates_in_text_boxes(reader_client, case):
    page = reader_client.get(reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31"}).content.decode()
    assert 'type="text" name="as_of" value="2024-01-31"' in page
    assert 'placeholder="YYYY-MM-DD"' in page
    assert 'type="date"' not in page
    assert PeriodForm({"as_of": "31/01/2024"}).errors  # only ISO is read


def test_admin_date_inputs_show_and_read_iso(analyst_client, db):
    source = factories.SourceFactory(published_on=D(2024, 1, 20))
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk])).content.decode()
    assert 'name="published_on" value="2024-01-20"' in page
    jsi18n = analyst_client.get(reverse("admin:jsi18n")).content.decode()
    # The calendar's "Today" writes the first input format: ISO.
    assert re.search(r'"DATE_INPUT_FORMATS": \[\s*"%Y-%m-%d"', jsi18n), jsi18n[jsi18n.find("DATE_INPUT") :][:80]


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
LONG_DATE = re.compile(rf"\b\d{{1,2}} ({_MONTHS}) \d{{4}}|\b({_MONTHS}) \d{{1,2}}, \d{{4}}")


@pytest.mark.parametrize(
    ("locale", "as_of", "period"),
    [("en-gb", "31 Jan 2024", "20–31 Jan 2024"), ("en-us", "Jan 31, 2024", "Jan 20–31, 2024")],
)
def test_the_status_report_writes_dates_as_every_page(reader_client, case, locale, as_of, period):
    url = reverse("measures:report", args=[case.slug])
    with override_settings(LANGUAGE_CODE=locale), translation.override(locale):
        report = reader_client.get(url, {"as_of": "2024-01-31", "since": "2024-01-20"}).content.decode()
        dashboard = reader_client.get(reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31"})

    assert f"status report as of {as_of}</title>" in report
    assert f"Status as of {as_of}" in report
    assert f"{period}, both days included" in report  # the period named one way (ReportingPeriod.text)
    assert f"Direction of travel over {period}, along every level in force in it" in report
    assert not LONG_DATE.search(report), LONG_DATE.search(report)
    # An assessment's effective date reads as on the dashboard.
    assert re.search(r'<time datetime="2024-01-25">([^<]+)</time>', dashboard.content.decode())[1] in report
