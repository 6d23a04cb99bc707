from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("a", "0001_initial")
    ]
    operations = []
