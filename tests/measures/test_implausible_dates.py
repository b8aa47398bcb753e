"""Migration 0017 reports stored dates outside the plausible range and changes none of them."""

import datetime
import importlib

from django.apps import apps

from measures.models import Event, Source
from tests import factories

migration = importlib.import_module("measures.migrations.0018_report_implausible_dates")
TODAY = datetime.date(2026, 6, 1)


def test_stored_dates_outside_the_range_are_named_and_kept(db, capsys, caplog):
    event = factories.EventFactory(
        date=datetime.date(1, 1, 1), date_precision=Event.Precision.APPROXIMATE, title="Far off"
    )
    source = factories.SourceFactory(published_on=datetime.date(2568, 7, 28))
    factories.EventFactory(case=event.case, date=datetime.date(2024, 1, 19))  # plausible: not named

    found = migration.implausible_dates(apps, today=TODAY)

    assert len(found) == 2, found
    assert found[0].startswith(f'Event {event.pk} "') and "date cannot be before 1900; 0001-01-01" in found[0]
    assert found[1].startswith(f"Source {source.pk} ") and "Buddhist-era" in found[1] and "2025-07-28" in found[1]
    migration.report_implausible_dates(apps, None)
    assert "0001-01-01" in capsys.readouterr().out and "0001-01-01" in caplog.text
    assert Event.objects.get(pk=event.pk).date == datetime.date(1, 1, 1)
    assert Source.objects.get(pk=source.pk).published_on == datetime.date(2568, 7, 28)


def test_nothing_is_reported_when_every_date_is_plausible(db, capsys):
    factories.EventFactory(date=datetime.date(2024, 1, 19))
    assert migration.implausible_dates(apps, today=TODAY) == []
    migration.report_implausible_dates(apps, None)
    assert capsys.readouterr().out == ""
