"""Inventory's API views live by concern: reference data in inventory.api.reference, the ledger
(postings, documents, stock, lots) in inventory.api.ledger, reversal proposals in
inventory.api.reversals; inventory.api.urls routes them."""
