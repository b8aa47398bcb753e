"""Four eyes: Review, the Reviewer role, and the assessments recorded before reviewing existed approved.

Until this migration an assessment counted the moment it was saved; from now on only approved ones
count (measures.models.reviews). So that no page changes on upgrading, every existing assessment is
recorded as approved *by this migration*: with no reviewer (none was named), decided at the time the
assessment was recorded (it counted from then, so "as known on" dates keep their figures), and a
comment saying so. Reviews are append-only: an UPDATE is refused by a trigger, as for assessments.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import measures.lib.text
from measures.roles import REVIEWER, grant_model_permissions, permission_codenames

MIGRATION_COMMENT = (
    "Approved by migration 0025: recorded before assessments were reviewed, when every assessment counted "
    "from the moment it was saved. No reviewer is named."
)
UPDATE_MESSAGE = "reviews are append-only: a decision is never changed"
SQLITE_TRIGGER = f"""
    CREATE TRIGGER measures_review_append_only
    BEFORE UPDATE ON measures_review
    BEGIN SELECT RAISE(ABORT, "{UPDATE_MESSAGE}"); END;
"""
POSTGRESQL_TRIGGER = [
    f"""
    CREATE FUNCTION measures_review_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{UPDATE_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER measures_review_append_only
    BEFORE UPDATE ON measures_review
    FOR EACH ROW EXECUTE FUNCTION measures_review_append_only();
    """,
]


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_TRIGGER:
            schema_editor.execute(statement)
    else:
        schema_editor.execute(SQLITE_TRIGGER)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS measures_review_append_only ON measures_review;")
        schema_editor.execute("DROP FUNCTION IF EXISTS measures_review_append_only();")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS measures_review_append_only;")


def reviewer_role(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    grant_model_permissions(Group, Permission, ["review"])
    # The Reviewer group may have been made by an earlier migration running today's roles (with the
    # permissions of that day's models): give it what its role has over every model there is now.
    measures_perms = Permission.objects.filter(content_type__app_label="measures")
    model_names = sorted(set(measures_perms.values_list("content_type__model", flat=True)))
    for group in Group.objects.filter(name=REVIEWER):
        group.permissions.add(*measures_perms.filter(codename__in=permission_codenames(REVIEWER, model_names)))


def approve_existing(apps, schema_editor):
    Assessment = apps.get_model("measures", "Assessment")
    Review = apps.get_model("measures", "Review")
    cited = {}
    for assessment_id, citation_id in apps.get_model("measures", "AssessmentCitation").objects.values_list(
        "assessment_id", "citation_id"
    ):
        cited.setdefault(assessment_id, []).append(citation_id)
    reviews = [
        Review(
            assessment_id=pk,
            decision="approved",
            reviewer=None,
            decided_at=recorded_at,
            comment=MIGRATION_COMMENT,
            level=level,
            rationale=rationale,
            citation_ids=sorted(cited.get(pk, [])),
        )
        for pk, recorded_at, level, rationale in Assessment.objects.order_by("pk").values_list(
            "pk", "recorded_at", "level", "rationale"
        )
    ]
    Review.objects.bulk_create(reviews, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0029_search_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Review",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "decision",
                    models.CharField(
                        choices=[("approved", "Approved"), ("returned", "Returned for revision")], max_length=8
                    ),
                ),
                ("decided_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "comment",
                    models.TextField(blank=True, validators=[measures.lib.text.NoControlCharacters(multi_line=True)]),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("not_assessed", "Not yet assessed"),
                            ("not_initiated", "Not initiated (0)"),
                            ("minimal", "Minimal (1)"),
                            ("intermediate", "Intermediate (2)"),
                            ("full", "Full (3)"),
                            ("reversed", "Reversed"),
                            ("not_applicable", "Not applicable"),
                        ],
                        max_length=16,
                    ),
                ),
                ("rationale", models.TextField()),
                (
                    "citation_ids",
                    models.JSONField(default=list, help_text="The ids of the citations the assessment cited."),
                ),
                (
                    "assessment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="review", to="measures.assessment"
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty only for approvals that name no reviewer (migration 0025, a case file).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-decided_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("decision__in", ["approved", "returned"])), name="review_decision_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("decision", "approved"), models.Q(("comment", ""), _negated=True), _connector="OR"
                        ),
                        name="review_return_has_comment",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("decision", "approved"), ("reviewer__isnull", False), _connector="OR"),
                        name="review_return_has_reviewer",
                    ),
                ],
            },
        ),
        migrations.RunPython(triggers, drop_triggers),
        migrations.RunPython(reviewer_role, migrations.RunPython.noop),
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
