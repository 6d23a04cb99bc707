from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('a', '0001_initial'), ('b', '0002_x'), ('c', '0003_y')]
    operations = []
