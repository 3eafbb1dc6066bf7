"""Tamper evidence: the chain verifies, and a change made straight in SQL is found."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from alerts.models import Alert
from audit.models import LedgerCheckpoint, LedgerVerification
from audit.services import checkpoint_take, ledger_verification_run, ledger_verify
from inventory.chain import line_hash
from inventory.models import LedgerLine
from inventory.services.posting import (
    Movement,
    adjustment_approve,
    adjustment_create,
    issue_post,
)
from inventory.services.reversals import document_reverse


@pytest.fixture
def history(world, clerk, clerk_b, inspector):
    """Receipts, issues, an approved adjustment and a reversal in two depots."""
    ball = world.lot(world.ball, "BALL-1")
    tnt = world.lot(world.tnt, "TNT-1")
    world.stock(clerk, ball, world.sh2, 500)
    world.stock(clerk, tnt, world.sh1, 40)
    world.stock(clerk_b, tnt, world.sh3, 10)
    from django.utils import timezone

    today = timezone.localdate()
    issue = issue_post(
        depot=world.depot_a,
        lines=[Movement(ball.pk, world.sh2.pk, 20)],
        recipient=world.unit,
        occurred_on=today,
        posted_by=clerk,
    )
    document_reverse(document=issue, reason="wrong recipient", posted_by=clerk)
    pending = adjustment_create(
        depot=world.depot_a,
        lines=[Movement(tnt.pk, world.sh1.pk, -2)],
        reason="damaged",
        note="crushed",
        occurred_on=today,
        posted_by=clerk,
    )
    adjustment_approve(document=pending, approved_by=inspector)
    return world


def tamper(sql, params=()):
    """What a database administrator could do: switch the guard off, change, switch it on."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending in the test
        cursor.execute("ALTER TABLE inventory_ledgerline DISABLE TRIGGER ledgerline_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE inventory_ledgerline ENABLE TRIGGER ledgerline_append_only")


def test_an_untouched_ledger_verifies(history):
    result = ledger_verify()
    assert result.ok, result.broken
    assert result.lines_checked == LedgerLine.objects.count() > 0
    assert result.first_broken is None


def test_an_update_made_directly_in_sql_is_found_at_its_line(history):
    victim = LedgerLine.objects.filter(depot=history.depot_a).order_by("id")[2]
    tamper("UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", [victim.pk])
    result = ledger_verify()
    assert not result.ok
    assert result.first_broken.line == victim.pk
    assert result.first_broken.depot == "DA"
    assert result.first_broken.document == victim.document.number
    assert "hash" in result.first_broken.reason
    assert [each.depot for each in result.broken] == ["DA"]  # depot B's chain is intact


def test_a_deleted_line_breaks_the_link_of_the_next(history):
    lines = list(LedgerLine.objects.filter(depot=history.depot_a).order_by("id"))
    tamper("DELETE FROM inventory_ledgerline WHERE id = %s", [lines[1].pk])
    result = ledger_verify()
    assert result.first_broken.line == lines[2].pk
    assert "link" in result.first_broken.reason


def test_a_rewritten_chain_is_caught_by_the_exported_checkpoint(history, tmp_path):
    """An attacker who changes a line and recomputes every hash after it, and the chain head,
    and the checkpoints in the database, is still caught by a copy kept outside."""
    call_command("ledger_checkpoint", export=str(tmp_path / "checkpoints.json"))
    lines = list(
        LedgerLine.objects.filter(depot=history.depot_a).select_related("document").order_by("id")
    )
    prev = lines[0].prev_hash
    rewritten = []
    for index, line in enumerate(lines):
        quantity = line.quantity + (1 if index == 1 else 0)
        digest = line_hash(
            document_number=line.document.number,
            kind=line.document.kind,
            occurred_on=line.document.occurred_on,
            posted_at=line.posted_at,
            poster_id=line.document.approved_by_id or line.document.posted_by_id,
            lot_id=line.lot_id,
            storehouse_id=line.storehouse_id,
            quantity=quantity,
            prev_hash=prev,
        )
        rewritten.append((line.pk, quantity, prev, digest))
        prev = digest
    for pk, quantity, prev_hash, digest in rewritten:
        tamper(
            "UPDATE inventory_ledgerline SET quantity = %s, prev_hash = %s, hash = %s"
            " WHERE id = %s",
            [quantity, prev_hash, digest, pk],
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_chainhead SET last_hash = %s WHERE depot_id = %s",
            [prev, history.depot_a.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_ledgercheckpoint DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_ledgercheckpoint")
        cursor.execute("ALTER TABLE audit_ledgercheckpoint ENABLE TRIGGER USER")
    assert ledger_verify().ok  # inside the database, the forgery is consistent
    exported = json.loads((tmp_path / "checkpoints.json").read_text())
    result = ledger_verify(external_checkpoints=exported)
    assert not result.ok
    assert result.first_broken.depot == "DA"
    assert "exported checkpoint" in result.first_broken.reason


def test_checkpoints_record_each_head_and_verify(history):
    taken = checkpoint_take()
    assert {c.depot.code for c in taken} == {"DA", "DB"}
    for checkpoint in taken:
        assert checkpoint.last_line_id == (
            LedgerLine.objects.filter(depot=checkpoint.depot).latest("id").pk
        )
    result = ledger_verify()
    assert result.ok
    assert result.checkpoints_checked == 2


def test_a_break_raises_a_critical_alert_and_resolves_when_repaired(history):
    victim = LedgerLine.objects.filter(depot=history.depot_b).first()
    tamper("UPDATE inventory_ledgerline SET quantity = 999 WHERE id = %s", [victim.pk])
    record = ledger_verification_run()
    assert not record.ok
    alert = Alert.objects.get(kind="ledger_tampered", resolved_at__isnull=True)
    assert alert.severity == "critical"
    assert alert.depot == history.depot_b
    tamper(
        "UPDATE inventory_ledgerline SET quantity = %s WHERE id = %s", [victim.quantity, victim.pk]
    )
    assert ledger_verification_run().ok
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert LedgerVerification.objects.count() == 2


def test_verify_ledger_command_exits_non_zero_on_a_break(history, capsys):
    call_command("verify_ledger")
    assert "Ledger intact" in capsys.readouterr().out
    victim = LedgerLine.objects.first()
    tamper(
        "UPDATE inventory_ledgerline SET storehouse_id = storehouse_id WHERE id = %s", [victim.pk]
    )
    tamper(
        "UPDATE inventory_ledgerline SET posted_at = posted_at + interval '1 second' WHERE id = %s",
        [victim.pk],
    )
    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")
    assert failed.value.returncode == 1
    assert f"line {victim.pk}" in capsys.readouterr().err


def test_verify_ledger_command_refuses_an_unreadable_checkpoint_file(history, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("verify_ledger", checkpoints=str(bad))
    assert not LedgerVerification.objects.exists()


def test_checkpoints_and_verifications_are_append_only(history):
    from django.db import DatabaseError, transaction

    checkpoint_take()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerCheckpoint.objects.update(head_hash="0" * 64)


def test_a_line_inserted_with_a_correct_hash_is_named_exactly(history):
    """The strongest insertion: a forged line chained properly onto the last one, with its hash
    computed by the canonical encoding. The chain head was not moved, so the line lies beyond
    it and is named."""
    last = LedgerLine.objects.filter(depot=history.depot_a).select_related("document").latest("id")
    forged = {
        "document_number": last.document.number,
        "kind": last.document.kind,
        "occurred_on": last.document.occurred_on,
        "posted_at": last.posted_at,
        "poster_id": last.document.approved_by_id or last.document.posted_by_id,
        "lot_id": last.lot_id,
        "storehouse_id": last.storehouse_id,
        "quantity": -5,
        "prev_hash": last.hash,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_ledgerline (document_id, depot_id, lot_id, storehouse_id, "
            "quantity, balance_after, occurred_on, posted_at, prev_hash, hash) "
            "VALUES (%s, %s, %s, %s, -5, 0, %s, %s, %s, %s) RETURNING id",
            [
                last.document_id,
                last.depot_id,
                last.lot_id,
                last.storehouse_id,
                last.occurred_on,
                last.posted_at,
                last.hash,
                line_hash(**forged),
            ],
        )
        inserted = cursor.fetchone()[0]
    result = ledger_verify()
    assert result.first_broken.line == inserted
    assert "beyond the chain head" in result.first_broken.reason


def test_two_lines_swapped_are_found_at_the_first_of_them(history):
    lines = list(LedgerLine.objects.filter(depot=history.depot_a).order_by("id"))
    first, second = lines[1], lines[3]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE inventory_ledgerline DISABLE TRIGGER ledgerline_append_only")
        # Hashes are unique: free both before the swap.
        cursor.execute(
            "UPDATE inventory_ledgerline SET hash = md5(hash) WHERE id IN (%s, %s)",
            [first.pk, second.pk],
        )
        for target, source in ((first, second), (second, first)):
            cursor.execute(
                "UPDATE inventory_ledgerline SET document_id = %s, lot_id = %s, "
                "storehouse_id = %s, quantity = %s, balance_after = %s, posted_at = %s, "
                "prev_hash = %s, hash = %s WHERE id = %s",
                [
                    source.document_id,
                    source.lot_id,
                    source.storehouse_id,
                    source.quantity,
                    source.balance_after,
                    source.posted_at,
                    source.prev_hash,
                    source.hash,
                    target.pk,
                ],
            )
        cursor.execute("ALTER TABLE inventory_ledgerline ENABLE TRIGGER ledgerline_append_only")
    swapped = LedgerLine.objects.get(pk=first.pk)
    assert (swapped.quantity, swapped.hash) == (second.quantity, second.hash)
    result = ledger_verify()
    assert result.first_broken.line == first.pk
    assert result.first_broken.depot == "DA"
