"""Who may request and read which reports (DESIGN.md §1: 400 in a body, 404 by URL, 403 by role)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import Role
from reports.kinds import builder_for
from reports.models import ReportKind, ReportRun
from reports.selectors import report_list
from reports.services import report_request
from tests.factories import UserFactory


def test_a_clerk_cannot_request_another_depots_statement(history, clerk_b):
    with pytest.raises(ValidationError) as caught:
        report_request(
            kind="accounting_statement", parameters=history.parameters(), requested_by=clerk_b
        )
    assert "depot" in caught.value.message_dict
    assert not ReportRun.objects.exists()


def test_a_report_is_read_by_its_depot_and_national_readers_only(history, clerk, clerk_b, auditor):
    run = report_request(
        kind="accounting_statement", parameters=history.parameters(), requested_by=clerk
    )
    assert list(report_list(user=clerk)) == [run]
    assert list(report_list(user=auditor)) == [run]
    assert list(report_list(user=clerk_b)) == []
    national = report_request(
        kind="stock_card", parameters={"lot": history.ball1.pk}, requested_by=auditor
    )
    assert national.depot is None
    assert list(report_list(user=clerk)) == [run]  # a national card covers depot B's lines too
    assert set(report_list(user=auditor)) == {run, national}


def test_a_depot_users_stock_card_is_of_the_one_depot_of_theirs_holding_the_lot(history, clerk):
    """DESIGN.md §11 gives `{lot}` alone: a depot user names the depot only when the lot is on
    the books of several of their depots (400 on `depot`, nothing written)."""
    a, b = history.world.depot_a, history.world.depot_b
    ball = {"lot": history.ball1.pk}
    run = report_request(kind="stock_card", parameters=ball, requested_by=clerk)
    assert (run.depot, run.parameters["depot"]) == (a, a.pk)  # the clerk's only depot
    both = UserFactory(username="inspector_ab", roles=[Role.INSPECTOR], depots=[a, b])
    with pytest.raises(ValidationError) as caught:
        report_request(kind="stock_card", parameters=ball, requested_by=both)
    assert "several of your depots" in caught.value.message_dict["depot"][0]
    assert ReportRun.objects.count() == 1
    tnt = report_request(kind="stock_card", parameters={"lot": history.tnt1.pk}, requested_by=both)
    assert tnt.depot == a  # TNT-1 never left depot A


def test_roles_without_reports_and_bad_input_write_nothing(history, db):
    nobody = UserFactory(username="nobody", roles=[])
    with pytest.raises(PermissionDenied):
        report_request(kind="stock_card", parameters={}, requested_by=nobody)
    auditor = UserFactory(username="aud2", roles=[Role.AUDITOR])
    statement = history.parameters()
    for kind, parameters, field in [
        ("no_such_kind", {}, "kind"),
        ("stock_card", [], "parameters"),
        ("stock_card", {"lot": "x"}, "lot"),
        ("stock_card", {"lot": history.ball1.pk, "colour": "red"}, "colour"),
        ("accounting_statement", {**statement, "period_end": "2000-01-01"}, "period_end"),
        ("accounting_statement", {**statement, "period_start": "yesterday"}, "period_start"),
        # A kind DESIGN.md names that no installed app renders (yet), if any.
        *[(kind, {}, "kind") for kind in ReportKind.values if builder_for(kind) is None][:1],
    ]:
        with pytest.raises(ValidationError) as caught:
            report_request(kind=kind, parameters=parameters, requested_by=auditor)
        assert field in caught.value.message_dict, (kind, parameters)
    assert not ReportRun.objects.exists()
