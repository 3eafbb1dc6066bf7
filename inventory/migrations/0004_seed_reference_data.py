from django.db import migrations


def seed(apps, schema_editor):
    from inventory import reference_data

    reference_data.load(
        **{
            name: apps.get_model("inventory", name)
            for name in (
                "HazardCode",
                "ConditionCode",
                "MixingMatrixVersion",
                "MixingCell",
                "PolicySetting",
            )
        }
    )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_ledger_triggers")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
