"""The canonical encoding computed by PostgreSQL (inventory.chain.canonical_line_sql) is byte for
byte the one Python computes: over random lines with text in any script, control characters,
quotes, DEL, characters beyond the Basic Multilingual Plane, no poster, negative quantities and
timestamps in any zone."""

import random
import string
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import connection

from inventory.chain import (
    canonical_line,
    canonical_line_sql,
    line_hash,
    line_hash_matches_sql,
    line_hash_sql,
)

pytestmark = pytest.mark.django_db

ALPHABETS = [
    string.ascii_uppercase + string.digits + "-",
    string.printable,  # quotes, backslash, tab, newline, form feed ...
    "".join(chr(code) for code in range(0, 0x80)) + "\x7f",  # every control character and DEL
    "ДЕПОТ-дёжзий",  # Cyrillic
    "مستودع-٠١٢",  # Arabic (right to left)
    "Dépôt-ñçü",  # Latin with diacritics
    "弾薬庫倉庫",  # CJK
    "\U0001f4a3\U0001d49c\U00010348",  # beyond U+FFFF: surrogate pairs in JSON
    "\u2028\u2029\ufeff\u00a0",  # separators and other invisible characters
]
FIELDS = ("number", "kind", "occurred_on", "posted_at", "poster", "lot", "storehouse", "quantity",
          "prev")  # fmt: skip


def random_text(rng: random.Random, longest: int = 30) -> str:
    alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, 3)))
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))).replace(
        "\x00",
        "0",  # PostgreSQL text holds no NUL
    )


def random_line(rng: random.Random) -> dict:
    zone = timezone(timedelta(minutes=rng.randrange(-12 * 60, 14 * 60, 15)))
    moment = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(0, 40 * 365 * 86400),
        microseconds=rng.choice([0, rng.randrange(10**6)]),
    )
    return {
        "document_number": random_text(rng),
        "kind": rng.choice(["receipt", "issue", "adjustment", random_text(rng, 8)]),
        "occurred_on": date(1990, 1, 1) + timedelta(days=rng.randrange(60 * 365)),
        "posted_at": moment.astimezone(zone),
        "poster_id": rng.choice([None, rng.randrange(1, 10**12)]),
        "lot_id": rng.randrange(1, 10**15),
        "storehouse_id": rng.randrange(1, 10**9),
        "quantity": rng.choice([-1, 1, rng.randrange(-(2**31), 2**31 - 1) or 7]),
        "prev_hash": rng.choice(["0" * 64, f"{rng.getrandbits(256):064x}", random_text(rng, 64)]),
    }


ENCODE = canonical_line_sql(
    document_number="v.number",
    kind="v.kind",
    occurred_on="v.occurred_on",
    posted_at="v.posted_at",
    poster_id="v.poster",
    lot_id="v.lot",
    storehouse_id="v.storehouse",
    quantity="v.quantity",
    prev_hash="v.prev",
)
HASH = line_hash_sql(
    document_number="v.number",
    kind="v.kind",
    occurred_on="v.occurred_on",
    posted_at="v.posted_at",
    poster_id="v.poster",
    lot_id="v.lot",
    storehouse_id="v.storehouse",
    quantity="v.quantity",
    prev_hash="v.prev",
)
QUERY = f"""
    SELECT {ENCODE}, {HASH}
    FROM unnest(%s::text[], %s::text[], %s::date[], %s::timestamptz[], %s::bigint[],
                %s::bigint[], %s::bigint[], %s::int[], %s::text[])
         WITH ORDINALITY AS v({", ".join(FIELDS)}, n)
    ORDER BY v.n
"""  # noqa: S608 (the module's own SQL; the values are parameters)


def sql_encodings(lines: list[dict]) -> list[tuple[str, str]]:
    columns = list(zip(*(line.values() for line in lines), strict=True))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Pacific/Chatham'")  # the session's zone is ignored
        cursor.execute(QUERY, [list(column) for column in columns])
        return cursor.fetchall()


def test_sql_encodes_random_lines_byte_for_byte_as_python():
    rng = random.Random(20)
    lines = [random_line(rng) for _ in range(3000)]
    for line, (encoded, digest) in zip(lines, sql_encodings(lines), strict=True):
        assert encoded.encode("utf-8") == canonical_line(**line), line
        assert digest == line_hash(**line), line


def test_the_hard_characters_one_by_one():
    base = random_line(random.Random(1))
    texts = ['"', "\\", "\b\f\n\r\t", "\x01\x1f", "\x7f", "é", "\u0800", "\uffff", "\U0001f4a3",
             "\U0010ffff", "", " ", "/", "A\u0301"]  # fmt: skip
    lines = [{**base, "document_number": text, "prev_hash": text} for text in texts]
    for line, (encoded, digest) in zip(lines, sql_encodings(lines), strict=True):
        assert encoded.encode("utf-8") == canonical_line(**line), line
        assert digest == line_hash(**line)


MATCHES = line_hash_matches_sql(
    "v.stored",
    document_number="v.number",
    kind="v.kind",
    occurred_on="v.occurred_on",
    posted_at="v.posted_at",
    poster_id="v.poster",
    lot_id="v.lot",
    storehouse_id="v.storehouse",
    quantity="v.quantity",
    prev_hash="v.prev",
)
MATCH_QUERY = f"""
    SELECT {MATCHES}
    FROM unnest(%s::text[], %s::text[], %s::date[], %s::timestamptz[], %s::bigint[],
                %s::bigint[], %s::bigint[], %s::int[], %s::text[], %s::text[])
         WITH ORDINALITY AS v({", ".join(FIELDS)}, stored, n)
    ORDER BY v.n
"""  # noqa: S608 (the module's own SQL; the values are parameters)


def sql_matches(pairs: list[tuple[dict, str]]) -> list[bool]:
    columns = list(zip(*((*line.values(), stored) for line, stored in pairs), strict=True))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'ISO, MDY'")
        cursor.execute(MATCH_QUERY, [list(column) for column in columns])
        return [row[0] for row in cursor.fetchall()]


def test_the_quick_match_accepts_exactly_the_canonical_hash():
    """line_hash_matches_sql is `line_hash_sql(...) = stored`: true for each line's own hash,
    false for another line's, whether the quick encoding applies (ASCII text, a fraction of a
    second) or not."""
    rng = random.Random(11)
    lines = [random_line(rng) for _ in range(1500)]
    for line in lines[::3]:  # a third as the posting service writes them: the quick path
        line["document_number"] = "D01-2026-" + str(rng.randrange(10**6)).zfill(6)
        line["prev_hash"] = f"{rng.getrandbits(256):064x}"
    for line in lines[::7]:  # a whole second: no fraction
        line["posted_at"] = line["posted_at"].replace(microsecond=0)
    own = [(line, line_hash(**line)) for line in lines]
    other = [(line, line_hash(**lines[index - 1])) for index, line in enumerate(lines)]
    assert sql_matches(own) == [True] * len(own)
    assert sql_matches(other) == [False] * len(other)


def test_a_text_that_reads_like_an_escape_does_not_pass_for_the_escaped_character():
    """The canonical encoding writes 'É' as the six characters \\u00c9. A number changed to
    those six characters would encode exactly as the old one did if the quick encoding left
    backslashes raw; it escapes them, so the change is found."""
    line = random_line(random.Random(3))
    line["posted_at"] = line["posted_at"].replace(microsecond=5)
    original = {**line, "document_number": "DÉ-2026-000001", "kind": "issue"}
    forged = {**original, "document_number": "D\\u00c9-2026-000001"}
    assert sql_matches([(original, line_hash(**original)), (forged, line_hash(**original))]) == [
        True,
        False,
    ]
