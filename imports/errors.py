"""Refusals of imports (409 with these codes, DESIGN.md §11)."""

from core.errors import ApplicationError


class DuplicateImport(ApplicationError, code="duplicate_import"):
    """The same file (same SHA-256) has already been imported into this depot, or is being."""
