"""The report kinds this app renders (others register theirs in their own report_kinds.py)."""

from reports.builders.ledger import AccountingStatement, StockCard
from reports.builders.records import InspectionReport, StabilityCertificate, StockCheckReport
from reports.kinds import register

register(AccountingStatement())
register(StockCard())
register(InspectionReport())
register(StabilityCertificate())
register(StockCheckReport())
