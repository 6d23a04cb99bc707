from django.db import migrations


class Migration(migrations.Migration):
    dependencies = (("a", "0001_initial"), ("b", "0002_x"))
    run_before = [
        ("c", "0001_initial"),  # keep
        ("d", "0001_initial"),  # drop
    ]
    operations = []


def not_the_migration():
    dependencies = [("z", "0001")]
    return dependencies
