from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('sales', '0001_initial'),
        ("crm", "0004_later"),  # written by hand
        ( 'inventory' , '0009_x' ),
    ]
    operations = []
