from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "__first__"),
        ("sales", "0001_initial"),
    ]
    operations = []
