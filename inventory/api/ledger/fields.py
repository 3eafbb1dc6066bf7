"""Resolving a posting's ids in one query, and the fields that name lots and storehouses
in the user's scope (out of scope is the same 400 as missing)."""

from __future__ import annotations

from django.db import connection
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from core.rows import instance_from_row
from core.scoping import read_depot_ids, scope
from core.serializers import StrictJSONMixin
from inventory.models import (
    AmmunitionType,
    ConditionCode,
    Depot,
    Lot,
    Recipient,
    Storehouse,
)
from inventory.services.lots import DEFAULT_CONDITION, NewLot

# --- Resolving a posting's ids in one query ------------------------------------------------------

_BIGINT = range(-(2**63), 2**63)
_MISSING = object()


def _columns(alias: str, model) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


class _Resolver:
    """The lots, storehouses (with their depots) and recipient a posting names, read with one
    hand-written query before the fields validate, instead of one ORM query per field. The fields
    (ResolvedPrimaryKeyField) take their object from here and keep their own checks and messages:
    an id not found is the field's 'does not exist', a storehouse outside the user's scope too."""

    _sql: str | None = None

    @classmethod
    def _query(cls) -> str:
        if cls._sql is None:
            counts = [
                len(model._meta.concrete_fields) for model in (Lot, Storehouse, Depot, Recipient)
            ]
            cls._counts = counts
            # Names from the models' meta; the values are parameters.
            cls._sql = (
                f"SELECT k.kind, k.id, {_columns('lot', Lot)}, {_columns('sh', Storehouse)}, "  # noqa: S608
                f"{_columns('dep', Depot)}, {_columns('rec', Recipient)} FROM ("
                "SELECT 'l' AS kind, unnest(%s::bigint[]) AS id "
                "UNION ALL SELECT 's', unnest(%s::bigint[]) "
                "UNION ALL SELECT 'r', unnest(%s::bigint[])) k "
                f"LEFT JOIN {Lot._meta.db_table} lot ON k.kind = 'l' AND lot.id = k.id "
                f"LEFT JOIN {Storehouse._meta.db_table} sh ON k.kind = 's' AND sh.id = k.id "
                f"LEFT JOIN {Depot._meta.db_table} dep ON dep.id = sh.depot_id "
                f"LEFT JOIN {Recipient._meta.db_table} rec ON k.kind = 'r' AND rec.id = k.id"
            )
        return cls._sql

    @staticmethod
    def _ids(values) -> list[int]:
        return sorted(
            {v for v in values if type(v) is int and v in _BIGINT}  # JSON integers only
        )

    @classmethod
    def resolve(cls, data) -> dict:
        """{(model, id): instance or _MISSING} for the integer ids in the raw request data: the
        lines' lots and storehouses (`storehouse`, or a move's `from_storehouse` and
        `to_storehouse`) and the recipient in one query; the types and conditions of new lots
        named inline on receipt lines in at most two more, only when there are any. Whatever
        the number of lines, a fixed number of queries."""
        lines = data.get("lines") if isinstance(data.get("lines"), list) else []
        lines = [line for line in lines[:500] if isinstance(line, dict)]
        lots = cls._ids(line.get("lot") for line in lines)
        storehouses = cls._ids(
            line.get(key)
            for line in lines
            for key in ("storehouse", "from_storehouse", "to_storehouse")
        )
        recipients = cls._ids([data.get("recipient")])
        found: dict = cls._new_lot_references(
            [line["lot"] for line in lines if isinstance(line.get("lot"), dict)]
        )
        if not (lots or storehouses or recipients):
            return found
        sql = cls._query()
        with connection.cursor() as cursor:
            cursor.execute(sql, [lots, storehouses, recipients])
            rows = cursor.fetchall()
        n_lot, n_sh, n_dep, _n_rec = cls._counts
        for row in rows:
            kind, pk, values = row[0], row[1], row[2:]
            if kind == "l":
                obj = instance_from_row(Lot, values[:n_lot])
                found[(Lot, pk)] = obj or _MISSING
            elif kind == "s":
                obj = instance_from_row(Storehouse, values[n_lot : n_lot + n_sh])
                if obj is not None:
                    depot = instance_from_row(Depot, values[n_lot + n_sh : n_lot + n_sh + n_dep])
                    Storehouse._meta.get_field("depot").set_cached_value(obj, depot)
                found[(Storehouse, pk)] = obj or _MISSING
            else:
                obj = instance_from_row(Recipient, values[n_lot + n_sh + n_dep :])
                found[(Recipient, pk)] = obj or _MISSING
        return found

    @classmethod
    def _new_lot_references(cls, specs: list[dict]) -> dict:
        """{(AmmunitionType, id) or (ConditionCode, code): instance or _MISSING} for the new
        lots named inline on a receipt's lines: a query for the types and one for the condition
        codes named, none without such lots."""
        types = cls._ids(spec.get("ammunition_type") for spec in specs)
        codes = sorted({c for spec in specs if type(c := spec.get("condition")) is str})
        if not (types or codes):
            return {}
        found: dict = {(AmmunitionType, pk): _MISSING for pk in types}
        found.update({(ConditionCode, code): _MISSING for code in codes})
        kinds = AmmunitionType.objects.filter(pk__in=types) if types else []
        conditions = ConditionCode.objects.filter(code__in=codes) if codes else []
        for kind in kinds:
            found[(AmmunitionType, kind.pk)] = kind
        for condition in conditions:
            found[(ConditionCode, condition.code)] = condition
        return found


class ResolvedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField that takes its object from the serializer's _Resolver results when
    there are any (then checks `allowed`), else queries as usual."""

    def resolved_model(self):
        return self.queryset.model

    def allowed(self, obj) -> bool:
        return True

    def to_internal_value(self, data):
        resolved = self.context.get("_resolved")
        if resolved and self.pk_field is None and type(data) is int:
            obj = resolved.get((self.resolved_model(), data))
            if obj is not None:
                if obj is _MISSING or not self.allowed(obj):
                    self.fail("does_not_exist", pk_value=data)
                return obj
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.INT)
class ScopedStorehouseField(ResolvedPrimaryKeyField):
    """A storehouse the user may read; any other id is 'does not exist' (400)."""

    def get_queryset(self):
        # With its depot: the posting's depot is the storehouses' (_one_depot), not another query.
        return scope(Storehouse.objects.select_related("depot"), self.context["request"].user)

    def resolved_model(self):
        return Storehouse

    def allowed(self, obj) -> bool:
        # The same test as scope(): the user's read scope, None meaning every depot.
        ids = read_depot_ids(self.context["request"].user)
        return ids is None or obj.depot_id in ids


class _ResolvedConditionField(serializers.SlugRelatedField):
    """A condition code, taken from the serializer's _Resolver results when there are any."""

    def to_internal_value(self, data):
        resolved = self.context.get("_resolved")
        if resolved and type(data) is str:
            obj = resolved.get((ConditionCode, data))
            if obj is _MISSING:
                self.fail("does_not_exist", slug_name=self.slug_field, value=data)
            if obj is not None:
                return obj
        return super().to_internal_value(data)


class NewLotSerializer(StrictJSONMixin, serializers.Serializer):
    ammunition_type = ResolvedPrimaryKeyField(queryset=AmmunitionType.objects.all())
    manufacturer = serializers.CharField(max_length=200)
    lot_number = serializers.CharField(max_length=80)
    manufactured_on = serializers.DateField()
    condition = _ResolvedConditionField(
        slug_field="code", queryset=ConditionCode.objects.all(), required=False
    )
    country_of_manufacture = serializers.CharField(max_length=2, required=False, default="")
    batch = serializers.CharField(max_length=80, required=False, default="")
    expires_on = serializers.DateField(
        required=False, help_text="Overrides date of manufacture + shelf life when given."
    )

    @classmethod
    def new_lot(cls, data, resolved: dict | None = None) -> NewLot:
        """The lot named by `data` (400 if it is malformed), as the lot services take it.
        `resolved`: its type and condition already read (_Resolver), if they were."""
        spec = cls(data=data, context={"_resolved": resolved} if resolved else {})
        spec.is_valid(raise_exception=True)
        values = spec.validated_data
        return NewLot(
            ammunition_type_id=values["ammunition_type"].pk,
            manufacturer=values["manufacturer"],
            lot_number=values["lot_number"],
            manufactured_on=values["manufactured_on"],
            condition=values["condition"].code if values.get("condition") else DEFAULT_CONDITION,
            country_of_manufacture=values["country_of_manufacture"],
            batch=values["batch"],
            expires_on=values.get("expires_on"),
        )


NEW_LOT_SCHEMA = {
    "type": "object",
    "properties": {
        "ammunition_type": {"type": "integer"},
        "manufacturer": {"type": "string", "maxLength": 200},
        "lot_number": {"type": "string", "maxLength": 80},
        "manufactured_on": {"type": "string", "format": "date"},
        "condition": {"type": "string"},
        "country_of_manufacture": {"type": "string", "maxLength": 2},
        "batch": {"type": "string", "maxLength": 80},
        "expires_on": {"type": "string", "format": "date"},
    },
    "required": ["ammunition_type", "manufacturer", "lot_number", "manufactured_on"],
}


@extend_schema_field({"oneOf": [{"type": "integer"}, NEW_LOT_SCHEMA]})
class LotReferenceField(serializers.Field):
    """A lot id, or a new-lot object resolved case-insensitively (created if new) on posting."""

    default_error_messages = {
        "does_not_exist": "Lot {value} does not exist.",
        "invalid": "A lot id or a new-lot object.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        resolved = self.context.get("_resolved")
        if isinstance(data, int):
            found = resolved.get((Lot, data)) if resolved else None
            if found is None:
                found = Lot.objects.filter(pk=data).exists() or _MISSING
            if found is _MISSING:
                self.fail("does_not_exist", value=data)
            return data
        if isinstance(data, dict):
            return NewLotSerializer.new_lot(data, resolved)
        self.fail("invalid")

    def to_representation(self, value):
        return value
