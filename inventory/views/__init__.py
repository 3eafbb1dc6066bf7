"""The web UI of the ledger (DESIGN.md §7; CONVENTIONS.md "Web UI").

Views are thin: selectors read in the user's depot scope (an object outside it is a 404), forms
check shape, the posting service decides and its refusals are shown on the form. Lists paginate
without counting rows: a page fetches one row more than it shows to know whether another follows.
"""
