"""The seed pre-transfer risk assessment checklist (version 1).

Source: UNIDIR, "Key issues and processes pertinent to the management of conventional ammunition:
report of the second thematic seminar", §2.3 "Going beyond stockpiles: pre-transfer risk
assessments" (key elements presented by the Arms Trade Treaty
Secretariat), including the marking requirements among the mitigation measures. Administrators
add later versions in the administration; this is only the default.
"""

from datetime import date

SOURCE = (
    "UNIDIR, Key issues and processes pertinent to the management of conventional ammunition "
    "(second thematic seminar), §2.3 pre-transfer risk assessments"
)

# (code, question, guidance)
ITEMS = [
    (
        "party-credibility",
        "Credibility and legitimacy of every party in the transfer",
        "Manufacturer, brokers, agents, freight forwarders, carriers, vessels, aircraft, "
        "consignee and end user: each in the register, verified, none suspended or denied.",
    ),
    (
        "documents-authentic",
        "Authenticity of the end-user documentation and assurances",
        "End-user certificate, assurances, contracts, agreements and commitments: authenticated "
        "with the issuer, valid for the whole transfer.",
    ),
    (
        "route-risk",
        "Diversion risk of the route and the role of the transit states",
        "Transhipment points, length of transit, known diversion routes.",
    ),
    (
        "state-controls",
        "Controls in the importing and transit states",
        "Import and transit licensing, customs capacity, stockpile management at the end user.",
    ),
    (
        "political-stability",
        "Political stability of the recipient state and implications for its region",
        "Conflict, sanctions, UN expert panel findings.",
    ),
    (
        "ammunition-nature",
        "Nature of the ammunition",
        "Small arms ammunition carries a higher risk of diversion, most of all to a private end "
        "user.",
    ),
    (
        "pre-delivery-verification",
        "Pre-delivery verification at the port of exit",
        "Who checks the consignment against the case at the port of exit, and when.",
    ),
    (
        "post-delivery-verification",
        "Post-delivery verification",
        "Delivery verification certificate, physical inspection, end-use and stockpile checks, "
        "cooperation programmes, destruction certificates.",
    ),
    (
        "customs-communication",
        "Communication between customs and the export licensing authority",
        "Customs informed of the licence; exit confirmed back to the licensing authority.",
    ),
    (
        "mitigation",
        "Risk mitigation measures, marking requirements among them",
        "Marking of the lots, escorts, staged deliveries, re-transfer clauses.",
    ),
]


def load(*, ChecklistVersion, ChecklistItem) -> None:
    """Create checklist version 1 unless it exists (idempotent)."""
    checklist, created = ChecklistVersion.objects.get_or_create(
        version=1, defaults={"effective_from": date(2000, 1, 1), "source": SOURCE}
    )
    if created:
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist, code=code, position=position, question=question,
                guidance=guidance,
            )
            for position, (code, question, guidance) in enumerate(ITEMS, start=1)
        )  # fmt: skip
