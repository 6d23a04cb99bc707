from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_note"),
        ("inventory", "0001_initial"),
    ]

    operations = []
