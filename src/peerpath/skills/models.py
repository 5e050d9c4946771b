"""The organisation's skill framework: an admin-managed hierarchy of skill areas."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class Skill(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.CharField(max_length=300, blank=True)
    # Full path of names ("Customer service / Calls"), kept in step by the services so
    # lists sort and display hierarchically without recursive queries.
    path = models.CharField(max_length=500, editable=False, db_index=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "parent", name="skill_unique_name_per_parent"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="skill_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.path or self.name

    @property
    def depth(self) -> int:
        return self.path.count(" / ")
