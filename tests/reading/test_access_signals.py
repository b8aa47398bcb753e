"""The receivers that keep the cached access true (measures.roles.connect_signals) stay connected after a
garbage collection: a save of an account, a role or a case outside the services reaches the cache."""

import gc
import weakref

from django.contrib.auth.models import Group, Permission
from django.core.signals import request_finished
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save

from measures import roles
from measures.models import Case
from tests import factories


def test_no_receiver_of_the_models_signals_is_dead_after_a_collection(db):
    gc.collect()
    dead = []
    for name, signal in {
        "pre_save": pre_save,
        "post_save": post_save,
        "post_delete": post_delete,
        "m2m_changed": m2m_changed,
        "post_migrate": post_migrate,
        "request_finished": request_finished,
    }.items():
        for entry in signal.receivers:
            receiver = entry[1]
            if isinstance(receiver, weakref.ReferenceType) and receiver() is None:
                dead.append((name, entry[0]))
    assert dead == []


def test_a_plain_save_of_an_account_a_role_or_a_case_changes_the_tokens(db):
    gc.collect()
    user = factories.reader(username="reader")
    roles.cases_token()

    def tokens():
        # Made if missing (as a request reading the account does), then read.
        roles.CachedModelBackend().get_user(user.pk)
        return roles.account_tokens(user.pk), roles.cases_token()

    before = tokens()
    user.set_password("another password")
    user.save()
    after_password = tokens()
    assert after_password[0][0] != before[0][0]  # the user token

    group = Group.objects.get(name=roles.READER)
    group.permissions.remove(Permission.objects.get(codename="view_case"))
    after_role = tokens()
    assert after_role[0][1] != after_password[0][1]  # the roles token

    case = factories.CaseFactory()
    case_before = roles.cases_token()
    case.visibility = Case.Visibility.PUBLISHED
    case.save()
    assert roles.cases_token() != case_before
