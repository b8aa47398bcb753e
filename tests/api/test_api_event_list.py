"""The event list builds each row from values read once for the page (the actors' codes in one query,
the page address reversed once): every row is the event's own answer."""

from tests import factories


def test_each_row_of_the_event_list_is_the_events_own_answer(db, api, reader_token):
    case = factories.CaseFactory(slug="0")  # a slug that is also an id: only the event's id is replaced
    parties = [factories.PartyFactory(code=code, name=code) for code in ("PAK", "IRN", "AFG")]
    factories.EventFactory(case=case, title="Strike", actors=[parties[1], parties[0]])
    factories.EventFactory(case=case, title="Talks", actors=parties)
    factories.EventFactory(case=case, title="Rumour", actors=[])
    rows = api.get("/api/v1/cases/0/events/", token=reader_token).data["results"]
    assert [row["actors"] for row in rows] == [["IRN", "PAK"], ["AFG", "IRN", "PAK"], []]
    for row in rows:
        assert row == api.get(f"/api/v1/cases/0/events/{row['id']}/", token=reader_token).data
        assert row["page"].endswith(f"/cases/0/events/{row['id']}/")
