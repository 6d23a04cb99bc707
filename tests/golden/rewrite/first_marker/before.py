from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "__first__"),
        ("inventory", "__first__"),  # nothing referenced
        ("sales", "0001_initial"),
    ]
    operations = []
