from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("a", "0001_initial"), ("b", "0001_initial"), ("c", "0002_z")]
    operations = []
