from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('sales', '0001_initial'),
        ("crm", "0001_initial"),  # written by hand
        ( 'inventory' , '0002_y' ),
    ]
    operations = []
