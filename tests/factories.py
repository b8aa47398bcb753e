import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal
from django.utils import timezone

from measures import models
from measures.roles import ADMINISTRATOR, ANALYST, READER, REVIEWER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(role_group(extracted))


def role_group(name):
    """The role's group, as the data migration made it. A transactional test with serialized_rollback
    empties the database at its end without post_migrate: emitting it recreates
    the permissions and, through measures.apps, the roles."""
    if not Group.objects.filter(name=name).exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    return Group.objects.get(name=name)


def reader(**kwargs):
    return UserFactory(role=READER, **kwargs)


def analyst(**kwargs):
    return UserFactory(role=ANALYST, **kwargs)


def reviewer(**kwargs):
    return UserFactory(role=REVIEWER, **kwargs)


def administrator(**kwargs):
    return UserFactory(role=ADMINISTRATOR, is_superuser=True, **kwargs)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Party
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Party {n}")
    code = factory.Sequence(lambda n: f"P{n:03d}")
    kind = models.Party.Kind.STATE


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Case
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Crisis {n}")
    slug = factory.Sequence(lambda n: f"crisis-{n}")
    summary = "A crisis between two states."
    start_date = datetime.date(2024, 1, 1)

    @factory.post_generation
    def assessed_parties(self, create, extracted, **kwargs):
        if not create:
            return
        self.assessed_parties.set(extracted if extracted is not None else [PartyFactory(), PartyFactory()])


def pakistan_iran_parties_case(start_date):
    """A case of Pakistan (PAK) and Iran (IRN) as assessed parties, starting on `start_date`, with no
    measure: the workspace's tests add theirs."""
    pak = PartyFactory(name="Pakistan", code="PAK")
    irn = PartyFactory(name="Iran", code="IRN")
    return CaseFactory(assessed_parties=[pak, irn], start_date=start_date)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Measure

    case = factory.SubFactory(CaseFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Measure {n + 1}")
    slug = factory.Sequence(lambda n: f"measure-{n + 1}")
    description = "What the step requires."


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    title = factory.Sequence(lambda n: f"Report {n}")
    publisher = "The Daily Record"
    author = "A. Writer"
    published_on = datetime.date(2024, 1, 20)
    kind = models.Source.Kind.NEWS_REPORT
    full_text = (
        "The foreign ministers spoke by telephone and agreed to de-escalate. "
        "Ambassadors will return to their posts. Border forces increased patrols."
    )


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    date = datetime.date(2024, 1, 19)
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "Something happened."
    kind = models.Event.Kind.DIPLOMATIC_CONTACT
    direction = models.Event.Direction.DEESCALATORY

    @factory.post_generation
    def actors(self, create, extracted, **kwargs):
        if create and extracted:
            self.actors.set(extracted)


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Citation

    case = factory.SubFactory(CaseFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "agreed to de-escalate"
    locator = "para. 1"
    event = None


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Evidence

    measure = factory.SubFactory(MeasureFactory)
    citation = factory.SubFactory(CitationFactory, case=factory.SelfAttribute("..measure.case"))
    stance = models.Evidence.Stance.PROGRESS


class AssessmentFactory(factory.django.DjangoModelFactory):
    """Writes through the model, not the service: for arranging test data only."""

    class Meta:
        model = models.Assessment
        skip_postgeneration_save = True

    measure = factory.SubFactory(MeasureFactory)
    party = factory.LazyAttribute(lambda a: a.measure.case.assessed_parties.order_by("pk").first())
    level = models.Assessment.Level.MINIMAL
    confidence = models.Assessment.Confidence.MEDIUM
    effective_date = datetime.date(2024, 1, 20)
    recorded_at = factory.LazyFunction(timezone.now)
    recorded_by = factory.SubFactory(UserFactory, username="assessor")
    rationale = "Because the evidence says so."

    @factory.post_generation
    def citations(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = (
                [] if self.level == models.Assessment.Level.NOT_ASSESSED else [CitationFactory(case=self.measure.case)]
            )
        self.citations.set(extracted)

    @factory.post_generation
    def approved(self, create, extracted, **kwargs):
        """Approved by default, as the data migration approved what was recorded before reviewing (no
        reviewer, decided when recorded), so the figures are those of the assessments as arranged;
        `approved=False` leaves it awaiting review, `approved=<user>` names the reviewer."""
        if not create or extracted is False:
            return
        models.Review.objects.create(
            assessment=self,
            decision=models.Review.Decision.APPROVED,
            reviewer=extracted if extracted not in (None, True) else None,
            decided_at=self.recorded_at,
            **models.Review.snapshot_of(self),
        )


class AssessmentCitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AssessmentCitation

    assessment = factory.SubFactory(AssessmentFactory, citations=[])
    citation = factory.SubFactory(CitationFactory, case=factory.SelfAttribute("..assessment.measure.case"))
