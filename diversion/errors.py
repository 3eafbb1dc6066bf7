"""Refusals of diversion control (409 with these codes, DESIGN.md §11). Nothing is written."""

from core.errors import ApplicationError


class NoRiskAssessment(ApplicationError, code="no_risk_assessment"):
    """No approved, unexpired pre-transfer risk assessment covers the transfer case."""


class PartyNotPermitted(ApplicationError, code="party_not_permitted"):
    """A party of the transfer is suspended or denied in the register."""


class EndUserCertificateInvalid(ApplicationError, code="end_user_certificate_invalid"):
    """The case's end-user certificate is not valid on the dispatch date, or was found not
    authentic."""


class HighRiskNotOverridden(ApplicationError, code="high_risk_not_overridden"):
    """An item is rated high and no second officer has recorded an override."""


class AssessmentIncomplete(ApplicationError, code="assessment_incomplete"):
    """Not every item of the checklist is answered."""
