"""The report kinds of inventory data this app renders; the apps that own other records register
theirs in their own report_kinds.py (surveillance, stockchecks, surplus, diversion)."""

from reports.builders.book import StorehouseBookReport
from reports.builders.ledger import AccountingStatement, StockCard
from reports.kinds import register

register(AccountingStatement())
register(StockCard())
register(StorehouseBookReport())
