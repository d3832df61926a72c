"""Enterprises, their support extensions and the dishonest list move to the parties app (issue 16): first their
tables take the parties app's names. Only the names change, so every row, foreign key and index stays as it is (on
PostgreSQL a foreign key refers to the table itself, not to its name; SQLite rewrites the references)."""

from django.db import migrations

MOVED = ("enterprise", "supportextension", "dishonestrecord", "dishonestlisting")


class Migration(migrations.Migration):
    dependencies = [("lending", "0005_listings_before_review")]

    operations = [migrations.AlterModelTable(name=name, table=f"parties_{name}") for name in MOVED]
