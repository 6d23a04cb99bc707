from django.db import migrations


class Migration(migrations.Migration):
    dependencies = (("b", "0002_x"),)
    run_before = [
        ("c", "0001_initial"),  # keep
    ]
    operations = []


def not_the_migration():
    dependencies = [("z", "0001")]
    return dependencies
