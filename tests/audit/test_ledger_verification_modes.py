"""Full and incremental verification (audit.verification, issue 20): every tamper case after the
latest verified checkpoint is found by both, at the same line; tampering before it is the full
run's (the weekly one), except what touches the checkpoint itself; the checkpoint a run starts
from is checked; parallel groups and the app's database role give the same answers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import LedgerCheckpoint, LedgerVerification
from audit.services import FULL, INCREMENTAL, ledger_verification_run, ledger_verify
from audit.tasks import verify_ledger
from inventory.chain import line_hash
from inventory.models import Document, LedgerLine
from inventory.services.posting import Movement, issue_post
from tests.audit.test_ledger_verification import history, tamper  # noqa: F401 (fixture)
from tests.core.test_db_roles import app_role  # noqa: F401 (fixture)

MODES = [FULL, INCREMENTAL]


def tamper_documents(sql, params=()):
    """Change a document header with its life-cycle guard switched off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE inventory_document DISABLE TRIGGER document_life_cycle")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE inventory_document ENABLE TRIGGER document_life_cycle")


@pytest.fixture
def checkpointed(history, clerk, clerk_b):  # noqa: F811 (fixture)
    """The history verified in full (its heads recorded as verified checkpoints), then a day of
    new postings in both depots."""
    assert ledger_verification_run(mode=FULL).ok
    history.base = {
        c.depot_id: c for c in LedgerCheckpoint.objects.filter(verification__isnull=False)
    }
    ball = history.lot(history.ball, "BALL-2")
    tnt_b = history.lot(history.tnt, "TNT-B2")
    history.stock(clerk, ball, history.sh2, 300)
    history.stock(clerk_b, tnt_b, history.sh3, 50)
    issue_post(
        depot=history.depot_a,
        lines=[Movement(ball.pk, history.sh2.pk, 7), Movement(ball.pk, history.sh2.pk, 3)],
        recipient=history.unit,
        occurred_on=timezone.localdate(),
        posted_by=clerk,
    )
    history.stock(clerk, ball, history.sh2, 40)
    base_a = history.base[history.depot_a.pk].last_line_id
    history.new_a = list(
        LedgerLine.objects.filter(depot=history.depot_a, id__gt=base_a).order_by("id")
    )
    history.old_a = list(
        LedgerLine.objects.filter(depot=history.depot_a, id__lt=base_a).order_by("id")
    )
    assert len(history.new_a) == 4
    assert len(history.old_a) >= 3
    return history


def both(**kwargs):
    return {mode: ledger_verify(mode=mode, **kwargs) for mode in MODES}


def test_an_untouched_ledger_verifies_and_the_incremental_run_reads_only_new_lines(checkpointed):
    results = both()
    assert results[FULL].ok
    assert results[INCREMENTAL].ok
    assert results[FULL].lines_checked == LedgerLine.objects.count()
    # The day's lines, and each depot's checkpointed line (its content is hashed again).
    new = sum(
        LedgerLine.objects.filter(depot_id=depot_id, id__gt=base.last_line_id).count()
        for depot_id, base in checkpointed.base.items()
    )
    assert new == 5
    assert results[INCREMENTAL].lines_checked == new + len(checkpointed.base)
    assert results[INCREMENTAL].lines_checked < results[FULL].lines_checked


CONTENT = {
    "quantity": ("UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", "hash"),
    "lot": (
        "UPDATE inventory_ledgerline SET lot_id = (SELECT min(id) FROM inventory_lot) "
        "WHERE id = %s",
        "hash",
    ),
    "storehouse": (
        "UPDATE inventory_ledgerline SET storehouse_id = (SELECT id FROM inventory_storehouse "
        "WHERE code = 'SH1') WHERE id = %s",
        "hash",
    ),
    "posted_at": (
        "UPDATE inventory_ledgerline SET posted_at = posted_at - interval '1 microsecond' "
        "WHERE id = %s",
        "hash",
    ),
    "occurred_on": (
        "UPDATE inventory_ledgerline SET occurred_on = occurred_on - 1 WHERE id = %s",
        "date",
    ),
    "prev_hash": (
        "UPDATE inventory_ledgerline SET prev_hash = md5(prev_hash) WHERE id = %s",
        "link",
    ),
    "hash": ("UPDATE inventory_ledgerline SET hash = md5(hash) || md5(hash) WHERE id = %s", "hash"),
}


@pytest.mark.parametrize("field", CONTENT)
def test_a_changed_line_after_the_checkpoint_is_found_by_both_at_its_line(checkpointed, field):
    sql, reason = CONTENT[field]
    victim = checkpointed.new_a[2]
    tamper(sql, [victim.pk])
    for mode, result in both().items():
        assert not result.ok, mode
        assert (result.first_broken.depot, result.first_broken.line) == ("DA", victim.pk), mode
        assert reason in result.first_broken.reason, (mode, result.first_broken)
        assert [each.depot for each in result.broken] == ["DA"]


HEADER = {
    "poster": "UPDATE inventory_document SET posted_by_id = %s WHERE id = %s",
    "number": "UPDATE inventory_document SET number = number || 'X' WHERE id = %s",
    "kind": "UPDATE inventory_document SET kind = 'return' WHERE id = %s",
    "occurred_on": "UPDATE inventory_document SET occurred_on = occurred_on - 1 WHERE id = %s",
}


@pytest.mark.parametrize("field", HEADER)
def test_a_changed_document_header_is_found_by_both_at_its_first_line(
    checkpointed, field, inspector
):
    victim = checkpointed.new_a[1]  # the issue's first line
    params = [inspector.pk, victim.document_id] if field == "poster" else [victim.document_id]
    tamper_documents(HEADER[field], params)
    for mode, result in both().items():
        assert (result.first_broken.depot, result.first_broken.line) == ("DA", victim.pk), mode


@pytest.mark.parametrize("mode", MODES)
def test_a_deleted_line_breaks_the_link_of_the_next(checkpointed, mode):
    lines = checkpointed.new_a
    tamper("DELETE FROM inventory_ledgerline WHERE id = %s", [lines[1].pk])
    result = ledger_verify(mode=mode)
    assert result.first_broken.line == lines[2].pk
    assert "link" in result.first_broken.reason


@pytest.mark.parametrize("mode", MODES)
def test_a_deleted_last_line_leaves_the_head_unmatched(checkpointed, mode):
    tamper("DELETE FROM inventory_ledgerline WHERE id = %s", [checkpointed.new_a[-1].pk])
    result = ledger_verify(mode=mode)
    assert (result.first_broken.depot, result.first_broken.line) == ("DA", None)
    assert "chain head" in result.first_broken.reason


@pytest.mark.parametrize("mode", MODES)
def test_a_line_inserted_with_a_correct_hash_lies_beyond_the_head(checkpointed, mode):
    last = checkpointed.new_a[-1]
    document = last.document
    forged = line_hash(
        document_number=document.number,
        kind=document.kind,
        occurred_on=document.occurred_on,
        posted_at=last.posted_at,
        poster_id=document.approved_by_id or document.posted_by_id,
        lot_id=last.lot_id,
        storehouse_id=last.storehouse_id,
        quantity=-5,
        prev_hash=last.hash,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_ledgerline (document_id, depot_id, lot_id, storehouse_id, "
            "quantity, balance_after, occurred_on, posted_at, prev_hash, hash) "
            "VALUES (%s, %s, %s, %s, -5, 0, %s, %s, %s, %s) RETURNING id",
            [document.pk, last.depot_id, last.lot_id, last.storehouse_id, last.occurred_on,
             last.posted_at, last.hash, forged],
        )  # fmt: skip
        inserted = cursor.fetchone()[0]
    result = ledger_verify(mode=mode)
    assert result.first_broken.line == inserted
    assert "beyond the chain head" in result.first_broken.reason


@pytest.mark.parametrize("mode", MODES)
def test_two_lines_swapped_are_found_at_the_first_of_them(checkpointed, mode):
    first, second = checkpointed.new_a[0], checkpointed.new_a[2]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE inventory_ledgerline DISABLE TRIGGER ledgerline_append_only")
        cursor.execute(
            "UPDATE inventory_ledgerline SET hash = md5(hash) WHERE id IN (%s, %s)",
            [first.pk, second.pk],
        )
        for target, source in ((first, second), (second, first)):
            cursor.execute(
                "UPDATE inventory_ledgerline SET document_id = %s, lot_id = %s, "
                "storehouse_id = %s, quantity = %s, posted_at = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [source.document_id, source.lot_id, source.storehouse_id, source.quantity,
                 source.posted_at, source.prev_hash, source.hash, target.pk],
            )  # fmt: skip
        cursor.execute("ALTER TABLE inventory_ledgerline ENABLE TRIGGER ledgerline_append_only")
    for mode, result in both().items():
        assert (result.first_broken.depot, result.first_broken.line) == ("DA", first.pk), mode


def test_a_broken_link_between_the_checkpoint_and_the_new_lines(checkpointed):
    first_new = checkpointed.new_a[0]
    tamper(
        "UPDATE inventory_ledgerline SET prev_hash = %s WHERE id = %s",
        [checkpointed.old_a[0].hash, first_new.pk],
    )
    results = both()
    for result in results.values():
        assert result.first_broken.line == first_new.pk
    assert "verified checkpoint" in results[INCREMENTAL].first_broken.reason
    assert "link" in results[INCREMENTAL].first_broken.reason


def test_a_changed_checkpointed_line_is_found_by_the_incremental_run(checkpointed):
    base = checkpointed.base[checkpointed.depot_a.pk]
    tamper(
        "UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", [base.last_line_id]
    )
    for mode, result in both().items():
        assert result.first_broken.line == base.last_line_id, mode
        assert "hash" in result.first_broken.reason


def test_a_deleted_checkpointed_line_is_found_by_the_incremental_run(checkpointed):
    base = checkpointed.base[checkpointed.depot_a.pk]
    tamper("DELETE FROM inventory_ledgerline WHERE id = %s", [base.last_line_id])
    result = ledger_verify(mode=INCREMENTAL)
    assert (result.first_broken.depot, result.first_broken.line) == ("DA", base.last_line_id)
    assert "missing" in result.first_broken.reason
    assert not ledger_verify(mode=FULL).ok


def test_a_forged_verified_checkpoint_must_match_its_line(checkpointed):
    """A checkpoint row slipped in to start the next run further on (or elsewhere) must name a
    line carrying its hash, at its position."""
    last = checkpointed.new_a[-1]
    record = LedgerVerification.objects.latest("id")
    LedgerCheckpoint.objects.create(
        depot=checkpointed.depot_a, line_count=999, last_line_id=last.pk, head_hash="f" * 64,
        taken_at=timezone.now() + timedelta(hours=1), verification=record,
    )  # fmt: skip
    for mode, result in both().items():
        assert result.first_broken.line == last.pk, mode
        assert "checkpoint" in result.first_broken.reason


def test_tampering_before_the_checkpoint_is_the_weekly_full_runs_to_find(checkpointed, settings):
    """The policy (docs/audit.md): the nightly run is incremental and does not read lines before
    the verified checkpoint; the full run (weekly, and on demand) does."""
    victim = checkpointed.old_a[1]
    tamper("UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", [victim.pk])
    assert ledger_verify(mode=INCREMENTAL).ok
    full = ledger_verify(mode=FULL)
    assert (full.first_broken.line, full.first_broken.depot) == (victim.pk, "DA")

    today = timezone.localdate().isoweekday()
    settings.LEDGER_VERIFY_FULL_WEEKDAY = today % 7 + 1  # another day: the nightly run
    assert verify_ledger()["broken"] == 0
    assert LedgerVerification.objects.latest("id").mode == INCREMENTAL
    settings.LEDGER_VERIFY_FULL_WEEKDAY = today  # the weekly full run
    assert verify_ledger()["broken"] == 1
    latest = LedgerVerification.objects.latest("id")
    assert (latest.mode, latest.ok, latest.first_broken["line"]) == (FULL, False, victim.pk)


def test_a_broken_depot_records_no_verified_checkpoint_so_the_break_stays_found(checkpointed):
    victim = checkpointed.new_a[1]
    tamper("UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", [victim.pk])
    first = ledger_verification_run(mode=INCREMENTAL)
    assert not first.ok
    assert set(first.checkpoints.values_list("depot__code", flat=True)) == {"DB"}
    again = ledger_verification_run(mode=INCREMENTAL)
    assert again.first_broken["line"] == victim.pk


def test_a_rewritten_chain_before_the_checkpoint_shows_in_its_exported_copy(checkpointed):
    """A forger rewrites depot A's chain from an old line on (hashes and head recomputed, the
    verified checkpoints and the nightly ones removed): the incremental run compares the lines
    of exported checkpoints with their hashes."""
    from audit.services import checkpoint_export, checkpoint_take

    exported = checkpoint_export(checkpoint_take())
    lines = list(
        LedgerLine.objects.filter(depot=checkpointed.depot_a)
        .select_related("document")
        .order_by("id")
    )
    prev = lines[0].prev_hash
    for index, line in enumerate(lines):
        quantity = line.quantity + (1 if index == 1 else 0)
        digest = line_hash(
            document_number=line.document.number, kind=line.document.kind,
            occurred_on=line.document.occurred_on, posted_at=line.posted_at,
            poster_id=line.document.approved_by_id or line.document.posted_by_id,
            lot_id=line.lot_id, storehouse_id=line.storehouse_id, quantity=quantity,
            prev_hash=prev,
        )  # fmt: skip
        tamper(
            "UPDATE inventory_ledgerline SET quantity = %s, prev_hash = %s, hash = %s "
            "WHERE id = %s",
            [quantity, prev, digest, line.pk],
        )
        prev = digest
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_chainhead SET last_hash = %s WHERE depot_id = %s",
            [prev, checkpointed.depot_a.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_ledgercheckpoint DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_ledgercheckpoint")
        cursor.execute("ALTER TABLE audit_ledgercheckpoint ENABLE TRIGGER USER")
    for mode in MODES:
        assert ledger_verify(mode=mode).ok  # consistent inside the database
        result = ledger_verify(mode=mode, external_checkpoints=exported)
        assert result.first_broken.depot == "DA", mode
        assert "exported checkpoint" in result.first_broken.reason


@pytest.mark.parametrize("mode", MODES)
def test_the_app_role_runs_both_modes(checkpointed, app_role, mode):  # noqa: F811 (fixture)
    victim = checkpointed.new_a[2]
    tamper("UPDATE inventory_ledgerline SET quantity = quantity + 1 WHERE id = %s", [victim.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        result = ledger_verify(mode=mode)
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)
        cursor.execute("RESET ROLE")
    assert result.first_broken.line == victim.pk


def test_an_unknown_mode_is_refused(db):
    with pytest.raises(ValueError, match="mode"):
        ledger_verify(mode="quick")


def test_the_nightly_run_of_a_ledger_never_verified_reads_it_all(history):  # noqa: F811
    result = ledger_verify(mode=INCREMENTAL)
    assert result.ok
    assert result.lines_checked == LedgerLine.objects.count()
    assert Document.objects.exists()


def test_the_command_runs_either_mode_and_says_which(checkpointed, capsys):
    from django.core.management import call_command

    call_command("verify_ledger", incremental=True)
    out = capsys.readouterr().out
    assert out.startswith("Incremental check: 7 lines in 2 depots")
    assert "Ledger intact" in out
    call_command("verify_ledger")
    assert capsys.readouterr().out.startswith(
        f"Full check: {LedgerLine.objects.count()} lines in 2 depots"
    )
    assert list(LedgerVerification.objects.order_by("id").values_list("mode", flat=True)) == [
        FULL,
        INCREMENTAL,
        FULL,
    ]


def test_the_api_answers_as_before_with_the_mode_and_each_checkpoints_run(
    checkpointed, api_as, auditor
):
    client = api_as(auditor)
    answer = client.post("/api/v1/ledger-verification/").json()
    assert {"ok", "lines_checked", "first_broken"} <= set(answer)
    assert (answer["ok"], answer["mode"], answer["first_broken"]) == (True, FULL, None)
    checkpoints = client.get("/api/v1/ledger-checkpoints/").json()["results"]
    assert {each["verification"] for each in checkpoints} == {
        answer["id"],
        LedgerVerification.objects.order_by("id").first().pk,
    }
