"""The surveillance fixtures, for the audit of attachment downloads."""

from tests.surveillance.conftest import charge_lot, charges  # noqa: F401 (fixtures)
