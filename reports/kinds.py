"""The registry of report kinds: what each kind needs, covers, shows and exports.

A kind is a `ReportBuilder` registered under one of the `ReportKind` names. The request service
asks it to check the parameters (shape and the requester's scope), the render service asks it
for the ledger lines it covers (the cut-off is applied for it), the records it shows, and its
content: facts for the first page, blocks of HTML that long reports split between, and the rows
of its CSV/XLSX export. Another app adds a kind by subclassing ReportBuilder in its own
`report_kinds.py` module (found at start-up by ReportsConfig.ready) and calling `register` —
see docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import Action, Role
from core.scoping import require, scope
from inventory.models import Depot, LedgerLine
from reports.models import ReportKind

if TYPE_CHECKING:
    from accounts.models import User
    from reports.models import ReportRun


@dataclass
class Block:
    """A piece of a report's body rendered by `template` with `context`; `rows` is how heavy it
    is to lay out (table rows), so that long reports are split into parts of similar weight."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    rows: int = 1


@dataclass
class Table:
    """The tabular export of a report: the same figures as the PDF, one row per line."""

    headers: list[str]
    rows: list[list[Any]]


@dataclass
class Content:
    title: str
    period: str = ""
    facts: list[tuple[str, Any]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    table: Table | None = None


@dataclass(frozen=True)
class Cleaned:
    """Parameters as stored on the run (JSON), and the depot the report is about (None: all)."""

    parameters: dict[str, Any]
    depot: Depot | None


class ReportBuilder:
    kind: ReportKind
    page_size = "A4"
    tabular = False
    # Roles that may read reports of this kind (each still within its depot scope); None: any
    # role that reads the depot.
    reader_roles: frozenset[Role] | None = None
    # One line on the request page's list of kinds.
    summary: str = ""

    @property
    def label(self) -> str:
        return ReportKind(self.kind).label

    def clean(self, *, user: User, parameters: Mapping[str, Any]) -> Cleaned:
        """Check the parameters' shape and that the user may request this report about what
        they name; raise ValidationError({name: [message]}) otherwise (an object outside the
        user's scope is reported like one that does not exist)."""
        raise NotImplementedError

    def lines(self, run: ReportRun) -> QuerySet[LedgerLine] | None:
        """Every ledger line the report's content selects, whenever posted; the render service
        keeps those posted up to the run's cut-off. None: the report covers no ledger lines."""
        return None

    def records(self, run: ReportRun) -> Any:
        """The records shown that are not ledger lines, as JSON-able data (record digest)."""
        return None

    def content(self, run: ReportRun, lines: QuerySet[LedgerLine] | None) -> Content:
        """What the report shows; `lines` are the covered lines (cut-off applied)."""
        raise NotImplementedError

    def form_fields(self, user: User) -> dict[str, Any]:
        """The request page's fields for this kind's parameters (name → django form field;
        model choices give their pk, dates their ISO form). The two kinds of this app share
        the fields declared on reports.forms.ReportRequestForm."""
        return {}

    def may_read(self, user: User) -> bool:
        return self.reader_roles is None or bool(user.role_set & (self.reader_roles | {Role.ADMIN}))


_REGISTRY: dict[str, ReportBuilder] = {}


def register(builder: ReportBuilder) -> ReportBuilder:
    if builder.kind not in ReportKind.values:
        raise ValueError(f"{builder.kind!r} is not a report kind of DESIGN.md §11")
    _REGISTRY[builder.kind] = builder
    return builder


def builder_for(kind: str) -> ReportBuilder | None:
    return _REGISTRY.get(kind)


def available() -> list[ReportBuilder]:
    return [_REGISTRY[kind] for kind in ReportKind.values if kind in _REGISTRY]


def unreadable_kinds(user: User) -> list[str]:
    """Kinds whose reports the user's roles may not read, wherever they are."""
    return [kind for kind, builder in _REGISTRY.items() if not builder.may_read(user)]


# --- Helpers for builders' clean() ----------------------------------------------------------------


def refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def only(parameters: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(parameters) - set(allowed))
    if unknown:
        raise refuse(
            unknown[0],
            _("Unknown parameter: this report takes %(names)s.") % {"names": ", ".join(allowed)},
        )


def id_param(parameters: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = parameters.get(name)
    if value is None or value == "":
        if required:
            raise refuse(name, _("This parameter is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise refuse(name, _("Must be an id."))
    if isinstance(value, str):
        if not value.isdigit():
            raise refuse(name, _("Must be an id."))
        value = int(value)
    if not 1 <= value < 2**63:
        raise refuse(name, _("Must be an id."))
    return value


def date_param(parameters: Mapping[str, Any], name: str) -> date:
    value = parameters.get(name)
    if value in (None, ""):
        raise refuse(name, _("This parameter is required."))
    if isinstance(value, date):
        return value
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise refuse(name, _("Must be a date as YYYY-MM-DD.")) from None


def in_scope(queryset: QuerySet, user: User, pk: int, name: str, depot_field: str = "depot"):
    """The object `pk` of `queryset` if the user reads its depot; else 'does not exist' (400)."""
    found = scope(queryset, user, depot_field=depot_field).filter(pk=pk).first()
    if found is None:
        raise refuse(name, _("No such object among those you may read."))
    return found


def record_param(queryset: QuerySet, user: User, parameters: Mapping[str, Any], name: str):
    """The one record a report of one record is about: `name` is its only parameter, it must be
    among `queryset` (what the user may read) and the user may request reports of its depot."""
    only(parameters, [name])
    pk = id_param(parameters, name)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise refuse(name, _("No such object among those you may read."))
    require(user, Action.REQUEST_REPORT, found.depot_id)
    return found


def lot_facts(lot) -> list[tuple[str, str]]:
    """A lot as the first page of a report about it names it: number and manufacturer, then its
    ammunition type (read with the lot)."""
    return [
        (_("Lot"), f"{lot.lot_number} · {lot.manufacturer}"),
        (_("Ammunition type"), f"{lot.ammunition_type.code} {lot.ammunition_type.name}"),
    ]


def who(user: User | None) -> str:
    """A signatory as printed: full name and username."""
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def when(moment) -> str:
    """A moment as printed: local time to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def depot_param(user: User, parameters: Mapping[str, Any], *, required: bool = True):
    """The depot named by `depot`, in the user's scope, where the user may request reports."""
    depot_id = id_param(parameters, "depot", required=required)
    if depot_id is None:
        return None
    depot = in_scope(Depot.objects.all(), user, depot_id, "depot", depot_field="pk")
    require(user, Action.REQUEST_REPORT, depot.pk)
    return depot
