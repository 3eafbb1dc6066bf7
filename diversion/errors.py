"""Refusals of diversion control (409 with these codes, DESIGN.md §11). Nothing is written."""

from core.errors import ApplicationError


class NoRiskAssessment(ApplicationError):
    """No approved, unexpired pre-transfer risk assessment covers the transfer case."""

    code = "no_risk_assessment"


class PartyNotPermitted(ApplicationError):
    """A party of the transfer is suspended or denied in the register."""

    code = "party_not_permitted"


class EndUserCertificateInvalid(ApplicationError):
    """The case's end-user certificate is not valid on the dispatch date, or was found not
    authentic."""

    code = "end_user_certificate_invalid"


class HighRiskNotOverridden(ApplicationError):
    """An item is rated high and no second officer has recorded an override."""

    code = "high_risk_not_overridden"


class AssessmentIncomplete(ApplicationError):
    """Not every item of the checklist is answered."""

    code = "assessment_incomplete"
