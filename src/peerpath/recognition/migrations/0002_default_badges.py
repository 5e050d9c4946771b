"""Seed the default badges: the ones the organisation starts with (admins add more)."""

from django.db import migrations

DEFAULT_BADGES = [
    # slug, name, description, rule, threshold, colour, glyph
    ("first-steps", "First steps", "Completed a first module.", "modules_completed", 1,
     "#3a4fd6", "book"),
    ("ten-modules", "Ten modules", "Completed ten modules.", "modules_completed", 10,
     "#2c3db4", "trophy"),
    ("first-module-shared", "First module shared", "Shared a first module with colleagues.",
     "modules_published", 1, "#0b7a5f", "share"),
    ("curated-author", "Curated author",
     "Wrote a module that expert reviewers made Curated.", "modules_curated", 1, "#8a3ffc",
     "check"),
    ("expert-eye", "Expert eye", "Decided a first expert review.", "reviews_done", 1,
     "#1f6f8b", "eye"),
    ("five-week-streak", "Five-week streak", "Learned five weeks in a row.", "streak_weeks", 5,
     "#c2410c", "flame"),
    ("helped-10-colleagues", "Helped 10 colleagues",
     "Ten different colleagues thanked you or found your help useful.", "colleagues_helped",
     10, "#be185d", "heart"),
    ("certified", "Certified", "Earned a first certification.", "certifications", 1,
     "#a16207", "ribbon"),
    ("thousand-points", "Thousand points", "Reached 1,000 points.", "points", 1000,
     "#4d7c0f", "bolt"),
]


def add_default_badges(apps, schema_editor):
    BadgeDefinition = apps.get_model("recognition", "BadgeDefinition")
    for slug, name, description, rule, threshold, colour, glyph in DEFAULT_BADGES:
        if BadgeDefinition.objects.filter(slug=slug).exists():
            continue
        if BadgeDefinition.objects.filter(rule=rule, threshold=threshold).exists():
            continue
        BadgeDefinition.objects.create(
            slug=slug,
            name=name,
            description=description,
            rule=rule,
            threshold=threshold,
            colour=colour,
            glyph=glyph,
        )


def remove_default_badges(apps, schema_editor):
    BadgeDefinition = apps.get_model("recognition", "BadgeDefinition")
    slugs = [row[0] for row in DEFAULT_BADGES]
    BadgeDefinition.objects.filter(slug__in=slugs, awards__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial")]

    operations = [migrations.RunPython(add_default_badges, remove_default_badges)]
