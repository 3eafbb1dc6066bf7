"""The canonical encoding of a ledger line and its hash (DESIGN.md §7).

The same encoding serves the per-depot hash chain and the digests printed on reports, so it is
defined once, here, and never changes: a change would break every chain and every report.
"""

import hashlib
import json
from datetime import UTC, date, datetime

GENESIS_HASH = "0" * 64


def canonical_line(
    *,
    document_number: str,
    kind: str,
    occurred_on: date,
    posted_at: datetime,
    poster_id: int,
    lot_id: int,
    storehouse_id: int,
    quantity: int,
    prev_hash: str,
) -> bytes:
    """A JSON array in fixed order; timestamps in UTC with microseconds as PostgreSQL keeps them."""
    return json.dumps(
        [
            document_number,
            kind,
            occurred_on.isoformat(),
            posted_at.astimezone(UTC).isoformat(timespec="microseconds"),
            poster_id,
            lot_id,
            storehouse_id,
            quantity,
            prev_hash,
        ],
        separators=(",", ":"),
    ).encode()


def line_hash(**fields) -> str:
    return hashlib.sha256(canonical_line(**fields)).hexdigest()


# --- The same encoding computed by PostgreSQL -----------------------------------------------------
#
# Verification recomputes millions of hashes; PostgreSQL (>= 11: built-in sha256(bytea), no
# extension, no superuser) does it where the rows are, byte for byte the encoding above
# (tests/inventory/test_chain_sql.py compares both over random lines).
#
# json.dumps escapes a string as PostgreSQL's to_json does (\" \\ \b \f \n \r \t, other control
# characters as \u00xx in lower case), except that it also escapes DEL and every non-ASCII
# character (ensure_ascii: \uxxxx in lower case, a surrogate pair above U+FFFF). Such strings are
# rare (a depot code in another script): they take the character-by-character branch.

_JSON_ESCAPED = r"""(SELECT '"' || string_agg(CASE
        WHEN c.ch = '"' THEN '\"'
        WHEN c.ch = '\' THEN '\\'
        WHEN c.ch = chr(8) THEN '\b'
        WHEN c.ch = chr(9) THEN '\t'
        WHEN c.ch = chr(10) THEN '\n'
        WHEN c.ch = chr(12) THEN '\f'
        WHEN c.ch = chr(13) THEN '\r'
        WHEN ascii(c.ch) < 32 OR ascii(c.ch) BETWEEN 127 AND 65535
            THEN '\u' || lpad(to_hex(ascii(c.ch)), 4, '0')
        WHEN ascii(c.ch) > 65535
            THEN '\u' || to_hex(55296 + ((ascii(c.ch) - 65536) >> 10))
              || '\u' || to_hex(56320 + ((ascii(c.ch) - 65536) & 1023))
        ELSE c.ch END, '' ORDER BY c.n) || '"'
    FROM unnest(string_to_array({value}, NULL)) WITH ORDINALITY AS c(ch, n))"""


def json_string_sql(value: str) -> str:
    """SQL for the JSON string json.dumps writes for the text expression `value`."""
    return (
        f"CASE WHEN octet_length({value}) = char_length({value}) AND strpos({value}, chr(127)) = 0"
        f" THEN to_json({value})::text ELSE {_JSON_ESCAPED.format(value=value)} END"
    )


def canonical_line_sql(
    *,
    document_number: str,
    kind: str,
    occurred_on: str,
    posted_at: str,
    poster_id: str,
    lot_id: str,
    storehouse_id: str,
    quantity: str,
    prev_hash: str,
) -> str:
    """SQL for `canonical_line` as text, each argument an SQL expression of that field."""
    return (
        f"'[' || {json_string_sql(document_number)} || ',' || {json_string_sql(kind)}"
        f" || ',\"' || to_char({occurred_on}, 'YYYY-MM-DD')"
        f" || '\",\"' || to_char({posted_at} AT TIME ZONE 'UTC',"
        f' \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')'
        f" || '\",' || COALESCE(({poster_id})::text, 'null')"
        f" || ',' || ({lot_id})::text || ',' || ({storehouse_id})::text"
        f" || ',' || ({quantity})::text || ',' || {json_string_sql(prev_hash)} || ']'"
    )


def line_hash_sql(**fields: str) -> str:
    """SQL for `line_hash`: the hex SHA-256 of the canonical encoding (all ASCII, as UTF-8)."""
    return f"encode(sha256(convert_to({canonical_line_sql(**fields)}, 'UTF8')), 'hex')"


def line_hash_matches_sql(stored: str, **fields: str) -> str:
    """SQL for "the stored hash `stored` is the line's hash", as `line_hash_sql(...) = stored`,
    but cheaper for the lines the posting service writes.

    A first encoding, quick to compute, is tried: strings quoted with only their quotes and
    backslashes escaped, dates and timestamps cast to text (DateStyle ISO: the caller sets it).
    It equals the canonical encoding whenever that escapes nothing else and the timestamp has a
    fraction of a second (all but one line in a million); otherwise the exact encoding decides.
    Accepting a match of the quick one is sound: where the two differ, the quick one holds a
    raw character outside printable ASCII or a timestamp without its '.', which no canonical
    encoding does, so it can match no line's canonical hash (tests/inventory/test_chain_sql.py).
    """
    number, kind, prev = fields["document_number"], fields["kind"], fields["prev_hash"]

    def quoted(value: str) -> str:
        return f"""'"' || replace(replace({value}, '\\', '\\\\'), '"', '\\"') || '"'"""

    quick = (
        f"'[' || {quoted(number)} || ',' || {quoted(kind)}"
        f" || ',\"' || ({fields['occurred_on']})::text"
        f" || '\",\"' || replace(rpad(({fields['posted_at']} AT TIME ZONE 'UTC')::text, 26, '0'),"
        f" ' ', 'T') || '+00:00\",' || COALESCE(({fields['poster_id']})::text, 'null')"
        f" || ',' || ({fields['lot_id']})::text || ',' || ({fields['storehouse_id']})::text"
        f" || ',' || ({fields['quantity']})::text || ',' || {quoted(prev)} || ']'"
    )
    return (
        f"CASE WHEN encode(sha256(convert_to({quick}, 'UTF8')), 'hex') = {stored} THEN true"
        f" ELSE {line_hash_sql(**fields)} = {stored} END"
    )
