"""People created before Peerpath vouched for organisation addresses get a verified one.

Only people with no address record at all are touched: those came from an admin or the
organisation import. Self-service sign-ups already have their own (verified or not).
"""

from django.db import migrations


def vouch(apps, schema_editor):
    User = apps.get_model("people", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    missing = User.objects.filter(emailaddress__isnull=True).values_list("pk", "email")
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email.lower(), verified=True, primary=True)
            for pk, email in missing.iterator(chunk_size=2000)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(vouch, migrations.RunPython.noop)]
