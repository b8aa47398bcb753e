from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def ensure_roles_after_migrate(sender, apps=global_apps, using="default", **kwargs):
    """post_migrate: the roles exist after every `migrate` and `flush`. measures is the last app with models in
    INSTALLED_APPS, so every app's permissions have been created when this runs. `flush` sends no
    `apps` (the installed models then), `migrate` sends the migrated state's."""
    from measures.roles import ensure_roles

    try:
        Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    except LookupError:  # migrated backwards past auth: nothing to hold the roles
        return
    ensure_roles(Group, Permission, using=using)


def ensure_catalogue_after_migrate(sender, apps=global_apps, using="default", **kwargs):
    """post_migrate: an empty catalogue of measure types (a flushed database: a restore into a fresh
    one, a transactional test's teardown) gets the shipped one again. One that holds anything is left
    as administrators made it."""
    from measures.lib.catalogue import ensure_catalogue

    try:
        Theme, MeasureType = apps.get_model("measures", "Theme"), apps.get_model("measures", "MeasureType")
    except LookupError:  # migrated backwards past the catalogue
        return
    ensure_catalogue(Theme, MeasureType, using=using)


SEARCH_TABLE = "measures_searchindex"  # measures.search.backends.TABLE (created by migration 0026)


def empty_search_index_of_an_empty_database(sender, apps=global_apps, using="default", **kwargs):
    """post_migrate: `flush` empties the tables of the models, not the search index (measures.search),
    whose table belongs to no model; a database left without a case or a source gets an empty index
    too, so that no stale row outlives a flush (the tests' transactional ones among them)."""
    from django.db import connections

    connection = connections[using]
    if SEARCH_TABLE not in connection.introspection.table_names():
        return  # migrated backwards past the index, or not yet up to it
    try:
        Case, Source = apps.get_model("measures", "Case"), apps.get_model("measures", "Source")
    except LookupError:
        return
    if Case.objects.using(using).exists() or Source.objects.using(using).exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SEARCH_TABLE}")


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "De-escalation measures"

    def ready(self):
        post_migrate.connect(ensure_roles_after_migrate, sender=self, dispatch_uid="measures.ensure_roles")
        post_migrate.connect(ensure_catalogue_after_migrate, sender=self, dispatch_uid="measures.ensure_catalogue")
        post_migrate.connect(
            empty_search_index_of_an_empty_database, sender=self, dispatch_uid="measures.empty_search_index"
        )
        connect_audit_log()
        from measures.services.accounts import connect_account_renames

        connect_account_renames()  # a renamed account's cases are touched: their pages and packages name it anew
        from measures.roles import connect_signals

        connect_signals()


def connect_audit_log():
    """The audit log's receivers (measures.models.audit explains why these, and what else writes it):
    every history row django-simple-history writes, and logins, failed logins and lockouts."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed
    from simple_history.signals import post_create_historical_record, pre_create_historical_record

    from measures.models import audit

    pre_create_historical_record.connect(audit.history_user, dispatch_uid="measures.audit.history_user")
    post_create_historical_record.connect(audit.history_recorded, dispatch_uid="measures.audit.history")
    user_logged_in.connect(audit.login_succeeded, dispatch_uid="measures.audit.login")
    user_login_failed.connect(audit.login_failed, dispatch_uid="measures.audit.login_failed")
    user_locked_out.connect(audit.locked_out, dispatch_uid="measures.audit.lockout")
