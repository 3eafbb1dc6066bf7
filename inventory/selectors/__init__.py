"""Reads, already limited to the user's depot scope. Import from the module that owns the read."""
