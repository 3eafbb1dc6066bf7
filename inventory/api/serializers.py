from rest_framework import serializers

from inventory.models import Depot


class DepotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Depot
        fields = ["id", "code", "name", "region"]
