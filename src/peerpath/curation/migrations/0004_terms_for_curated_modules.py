"""Modules Curated before review-by dates existed get one a year from the migration."""

import datetime

from django.db import migrations
from django.utils import timezone


def add_terms(apps, schema_editor):
    Module = apps.get_model("content", "Module")
    CurationTerm = apps.get_model("curation", "CurationTerm")
    today = timezone.localdate()
    try:
        review_by = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        review_by = today + datetime.timedelta(days=365)
    have = set(CurationTerm.objects.values_list("module_id", flat=True))
    CurationTerm.objects.bulk_create(
        CurationTerm(module_id=pk, review_by=review_by)
        for pk in Module.objects.filter(curated_version__isnull=False)
        .exclude(pk__in=have)
        .values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0003_curation_term"),
        ("content", "0006_kinds_assets_packages_paths"),
    ]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
