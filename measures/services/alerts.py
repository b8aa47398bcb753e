"""Following cases: subscriptions, and the detection of changes that alerts tell subscribers about.

Detection compares two states computed by the state layer: the case's state now (`case_state` and
`commitment_calendar` as of the case's default date) with the summary of the state it saw last (the
case's WatchPoint). Each difference is an Alert, keyed by what changed, so detecting it again — a
retry, a second worker — records nothing new; each alert becomes one Notification per subscriber who
may read the case and asked for that kind of alert (unique per recipient and change).

What counts as a change, per measure (one alert for all the parties it concerns):
- LEVEL: an applicable party's level in force differs (the assessment in force names the change);
- CONTESTED: a party's judgement became contested, or is contested by newer setback evidence than
  before (the newest setback evidence names it);
- STALE: the measure became stale (only while the case is active, as the flag);
- COMMITMENT_DUE / COMMITMENT_OVERDUE: a commitment not judged entered its due window / passed it.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from measures.lib import dates
from measures.models import Alert, AlertKind, Case, Evidence, Notification, Subscription, WatchPoint
from measures.roles import can_read_case, reads_some_case
from measures.services.base import ServiceError
from measures.state import case_state, commitment_calendar
from measures.state.commitments import DUE, OVERDUE

logger = logging.getLogger(__name__)


def subscribe(
    *, user, case=None, level_changed=True, contested=True, stale=False, commitments=True, weekly_digest=True
):
    """Follow `case` (None: every case `user` may read) with these choices; an existing subscription of
    the same scope takes them. Refused when the user may not read the case (for every case: reads
    none, measures.roles.reads_some_case), or asks for nothing. The case's state is taken as the
    baseline of detection when nobody followed it yet, so that alerts tell of changes from now on.
    Returns the Subscription."""
    if case is not None and not can_read_case(user, case):
        raise ServiceError({"case": "You cannot follow a case you may not read."})
    if case is None and not reads_some_case(user):
        raise ServiceError({"case": "You may read no case, so there is nothing to follow."})
    choices = {
        "level_changed": bool(level_changed),
        "contested": bool(contested),
        "stale": bool(stale),
        "commitments": bool(commitments),
        "weekly_digest": bool(weekly_digest),
    }
    if not any(choices.values()):
        raise ServiceError({"__all__": "Choose at least one thing to be told, or unsubscribe."})
    cases = [case] if case is not None else [c for c in Case.objects.all() if can_read_case(user, c)]
    with transaction.atomic():
        _refuse_past_the_subscription_limit(user, case)
        for followed in cases:
            if not WatchPoint.objects.filter(case=followed).exists() or not _followed(followed):
                take_watch_point(followed)
        subscription, _ = Subscription.objects.update_or_create(user=user, case=case, defaults=choices)
    return subscription


def _refuse_past_the_subscription_limit(user, case):
    """ServiceError when a new subscription to one case would take `user` past SUBSCRIPTIONS_PER_USER
    (each followed case is a check after every write to it and a digest a week); changing the choices of
    one they have, or following every case (one subscription), is always allowed."""
    if case is None or Subscription.objects.filter(user=user, case=case).exists():
        return
    limit = settings.SUBSCRIPTIONS_PER_USER
    followed = Subscription.objects.filter(user=user, case__isnull=False).count()
    if followed >= limit:
        raise ServiceError(
            f"You already follow {followed} cases one by one, the most one user may. "
            "Nothing was changed: follow every case you may read instead, or stop following one.",
            code="work_limit",
        )


def unsubscribe(*, subscription):
    """Stop a subscription (its notifications already sent stay on record). Returns None."""
    Subscription.objects.filter(pk=subscription.pk).delete()


def _followed(case):
    return Subscription.objects.filter(Q(case=case) | Q(case__isnull=True)).exists()


def cases_followed():
    """The ids of the cases somebody follows (a subscription to them, or to every case)."""
    if Subscription.objects.filter(case__isnull=True).exists():
        return set(Case.objects.values_list("pk", flat=True))
    return set(Subscription.objects.values_list("case_id", flat=True))


def summarise(case, *, today=None):
    """(as_of, summary dict) of the case's state as of its default date: what detection compares."""
    as_of = case.default_as_of(today or timezone.localdate())
    state = case_state(case, as_of=as_of)
    calendar = commitment_calendar(case, as_of=as_of)
    measures = {}
    for row in state.rows:
        newest_setback = max(
            (e for e in row.evidence if e.stance == Evidence.Stance.SETBACK),
            key=lambda e: (
                e.citation.event.date if e.citation.event_id else e.citation.source.published_on or as_of,
                e.pk,
            ),
            default=None,
        )
        measures[str(row.measure.pk)] = {
            "number": row.measure.number,
            "title": row.measure.title,
            "levels": {
                str(cell.party.pk): [cell.level, cell.assessment.pk if cell.assessment else None]
                for cell in row.applicable_cells
            },
            "contested": sorted(str(cell.party.pk) for cell in row.applicable_cells if cell.contested),
            "setback": newest_setback.pk if newest_setback is not None else None,
            "stale": row.stale,
            "latest": str(row.latest_evidence) if row.latest_evidence else "",
        }
    commitments = {str(entry.commitment.pk): entry.status for entry in calendar.entries}
    parties = {str(party.pk): party.name for party in state.parties}
    return as_of, {"measures": measures, "commitments": commitments, "parties": parties}, state, calendar


def take_watch_point(case, *, today=None):
    """Store the case's state now as what detection compares the next state with. Returns the WatchPoint."""
    as_of, summary, _, _ = summarise(case, today=today)
    case = Case.objects.only("pk", "data_version").get(pk=case.pk)
    point, _ = WatchPoint.objects.update_or_create(
        case=case,
        defaults={"as_of": as_of, "data_version": case.data_version, "summary": summary, "taken_at": timezone.now()},
    )
    return point


def _level_changes(old, new, parties):
    """Alert data for the measures whose applicable parties' levels differ."""
    from measures.models import Assessment

    found = []
    for pk, measure in new["measures"].items():
        before = old.get("measures", {}).get(pk)
        if before is None:
            continue
        moved = [
            (party, before["levels"].get(party, ["not_assessed", None])[0], level, assessment)
            for party, (level, assessment) in measure["levels"].items()
            if before["levels"].get(party, ["not_assessed", None])[0] != level
        ]
        if not moved:
            continue
        words = "; ".join(
            f"{parties.get(p, p)} {Assessment.Level(a).label} → {Assessment.Level(b).label}" for p, a, b, _ in moved
        )
        key = "level:" + pk + ":" + ",".join(f"{p}={b}@{n}" for p, _, b, n in sorted(moved))
        found.append(
            (
                AlertKind.LEVEL,
                key,
                int(pk),
                None,
                f"Measure {measure['number']}. {measure['title']}: {words}",
                {"moved": moved},
            )
        )
    return found


def _flag_changes(old, new, parties):
    found = []
    for pk, measure in new["measures"].items():
        before = old.get("measures", {}).get(pk)
        if before is None:
            continue
        contested = set(measure["contested"])
        newly = contested - set(before["contested"])
        newer_setback = contested and measure["setback"] != before["setback"] and measure["setback"] is not None
        if newly or newer_setback:
            names = ", ".join(sorted(parties.get(p, p) for p in (newly or contested)))
            found.append(
                (
                    AlertKind.CONTESTED,
                    f"contested:{pk}:{measure['setback']}",
                    int(pk),
                    None,
                    f"Measure {measure['number']}. {measure['title']}: new setback evidence challenges the judgement "
                    f"in force for {names}",
                    {"parties": sorted(newly or contested), "evidence": measure["setback"]},
                )
            )
        if measure["stale"] and not before["stale"]:
            found.append(
                (
                    AlertKind.STALE,
                    f"stale:{pk}:{measure['latest'] or 'none'}",
                    int(pk),
                    None,
                    f"Measure {measure['number']}. {measure['title']} became stale (latest evidence: "
                    f"{measure['latest'] or 'none'})",
                    {},
                )
            )
    return found


def _commitment_changes(old, new, calendar):
    found = []
    by_pk = {str(entry.commitment.pk): entry for entry in calendar.entries}
    for pk, status in new["commitments"].items():
        before = old.get("commitments", {}).get(pk)
        if status == before or status not in (DUE, OVERDUE):
            continue
        entry = by_pk[pk]
        commitment = entry.commitment
        kind = AlertKind.COMMITMENT_DUE if status == DUE else AlertKind.COMMITMENT_OVERDUE
        what = "fell due" if status == DUE else f"is overdue (due {commitment.due_label}), not judged"
        found.append(
            (
                kind,
                f"{kind}:{pk}",
                commitment.measure_id,
                commitment,
                f"Commitment of {commitment.party_names}: {commitment.what} — {what}",
                {"due": commitment.due_label},
            )
        )
    return found


def detect_changes(case, *, today=None):
    """Compare the state of `case` now with its WatchPoint; record an Alert per change, a Notification
    per subscriber who may read the case and asked for it, and move the WatchPoint to the state now.

    One transaction, the WatchPoint's row locked (PostgreSQL; SQLite's IMMEDIATE transactions serialise
    writers), so that two workers detecting at once record each change once. Without a WatchPoint the
    state now becomes it and nothing is alerted. Returns the new Alerts (a list).
    """
    with transaction.atomic():
        point = WatchPoint.objects.select_for_update().filter(case=case).first()
        as_of, summary, _, calendar = summarise(case, today=today)
        case = Case.objects.only("pk", "data_version", "slug", "name").get(pk=case.pk)
        if point is None:
            WatchPoint.objects.create(case=case, as_of=as_of, data_version=case.data_version, summary=summary)
            return []
        parties = summary["parties"]
        changes = (
            _level_changes(point.summary, summary, parties)
            + _flag_changes(point.summary, summary, parties)
            + _commitment_changes(point.summary, summary, calendar)
        )
        alerts = []
        for kind, key, measure_id, commitment, text, detail in changes:
            if Alert.objects.filter(case=case, key=key).exists():
                continue
            try:
                with transaction.atomic():
                    alerts.append(
                        Alert.objects.create(
                            case=case,
                            kind=kind,
                            key=key[:200],
                            measure_id=measure_id,
                            commitment=commitment,
                            summary=text[:500],
                            detail=detail,
                            as_of=as_of,
                        )
                    )
            except IntegrityError:  # another worker recorded it meanwhile
                continue
        point.as_of, point.data_version, point.summary, point.taken_at = (
            as_of,
            case.data_version,
            summary,
            timezone.now(),
        )
        point.save()
        for alert in alerts:
            notify_alert(alert)
    return alerts


def subscribers(case):
    """[(user, subscription)] of the active users following `case` who may read it; a user with both a
    subscription to the case and one to every case is told through the case's own."""
    chosen = {}
    for subscription in Subscription.objects.filter(Q(case=case) | Q(case__isnull=True)).select_related("user"):
        if subscription.user_id in chosen and subscription.case_id is None:
            continue
        chosen[subscription.user_id] = subscription
    return [(s.user, s) for s in chosen.values() if can_read_case(s.user, case)]


def _queue(**fields):
    """Create a Notification unless the recipient has one for that key already. Returns it or None."""
    if Notification.objects.filter(recipient=fields["recipient"], key=fields["key"]).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(**fields)
    except IntegrityError:
        return None


def notify_alert(alert):
    """One Notification per subscriber of the alert's case who may read it and asked for its kind."""
    queued = []
    for user, subscription in subscribers(alert.case):
        if subscription.wants(alert.kind):
            queued.append(
                _queue(recipient=user, subscription=subscription, case=alert.case, key=f"alert:{alert.pk}", alert=alert)
            )
    return [n for n in queued if n is not None]


def queue_digests(*, week_until, today=None):
    """Queue the weekly digest of the week ending on `week_until` (a date; the seven days up to it, both
    included) for every subscriber who asked for digests, one per case they follow and may read. A
    digest already queued for that recipient, case and week is not queued again. At most
    settings.DIGESTS_PER_USER_WEEK digests a week go to one subscriber (the cases they follow one by one
    first, then those of "every case I may read", each by name): one subscription to every case of a
    large deployment must not send a subscriber, and the mail server, a mail per case each week. The
    cases left out are logged (a warning naming the subscriber and how many). Returns the new
    Notifications."""
    import datetime

    since = week_until - datetime.timedelta(days=6)
    limit = settings.DIGESTS_PER_USER_WEEK
    queued, sent, left_out = [], {}, {}
    subscriptions = (
        Subscription.objects.filter(weekly_digest=True)
        .select_related("user", "case")
        .order_by("user", models.F("case").asc(nulls_last=True))
    )
    all_cases = None
    for subscription in subscriptions:
        if subscription.case is not None:
            cases = [subscription.case]
        else:
            all_cases = all_cases if all_cases is not None else list(Case.objects.order_by("name", "pk"))
            cases = all_cases
        user = subscription.user
        if user.pk not in sent:
            sent[user.pk] = Notification.objects.filter(
                recipient=user, key__startswith="digest:", week_until=week_until
            ).count()
        for case in cases:
            if not can_read_case(user, case) or week_until < case.start_date:
                continue
            if subscription.case is None and Subscription.objects.filter(user=user, case=case).exists():
                continue  # told through the case's own subscription
            key = f"digest:{case.pk}:{week_until.isoformat()}"
            if sent[user.pk] >= limit:
                if not Notification.objects.filter(recipient=user, key=key).exists():
                    left_out[user] = left_out.get(user, 0) + 1
                continue
            notification = _queue(
                recipient=user,
                subscription=subscription,
                case=case,
                key=key,
                week_since=since,
                week_until=week_until,
            )
            if notification is not None:
                queued.append(notification)
                sent[user.pk] += 1
    for user, count in left_out.items():
        logger.warning(
            "Week to %s: %s digest(s) for %s left out, past DIGESTS_PER_USER_WEEK (%s)", week_until, count, user, limit
        )
    return queued


def week_label(since, until):
    return dates.date_text(since, dates.DAY, until)
