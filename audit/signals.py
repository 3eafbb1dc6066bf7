"""Feed the audit log: sign-ins and failed sign-ins, and every change that django-simple-history
records (reference data, depots, users' roles and memberships, waivers, policy), before/after."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from audit.models import AuditAction
from audit.services import audit_record
from core.net import client_ip

HISTORY_ACTIONS = {"+": AuditAction.CREATE, "~": AuditAction.UPDATE, "-": AuditAction.DELETE}


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user, ip_address=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, ip_address=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor_username=str(credentials.get("username", ""))[:150],
        ip_address=client_ip(request),
    )


def _value(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


@receiver(post_create_historical_record)
def _history_recorded(sender, instance, history_instance, **kwargs):
    changes = {}
    detail = ""
    previous = history_instance.prev_record
    if history_instance.history_type == "~" and previous is not None:
        delta = history_instance.diff_against(previous)
        changes = {c.field: [_value(c.old), _value(c.new)] for c in delta.changes}
        if not changes:
            return  # a save that changed nothing is not an event
    elif history_instance.history_type in ("+", "~"):
        # Created, or changed for the first time since it was seeded without history: every
        # value after, the earlier ones unknown.
        detail = "" if history_instance.history_type == "+" else "earlier values not on record"
        changes = {
            field.attname: [None, _value(getattr(instance, field.attname))]
            for field in instance._meta.concrete_fields
            if field.attname not in ("password", "last_login")
        }
    request = getattr(HistoricalRecords.context, "request", None)
    actor = history_instance.history_user
    audit_record(
        action=HISTORY_ACTIONS[history_instance.history_type],
        actor=actor,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        detail=detail,
        ip_address=client_ip(request),
    )
