from django.contrib import admin
from django.http import HttpRequest

from peerpath.lrs.models import LrsKey


@admin.register(LrsKey)
class LrsKeyAdmin(admin.ModelAdmin[LrsKey]):
    """Admins see and deactivate keys here; new keys come from ``peerpath lrs-key create``
    so the secret is shown once and only its hash is kept."""

    list_display = ("name", "key", "can_read", "can_write", "own_only", "active", "last_used_at")
    list_filter = ("active", "can_write", "own_only")
    search_fields = ("name", "key")
    readonly_fields = ("created_by", "created_at", "last_used_at")
    fields = (
        "name",
        "key",
        "can_read",
        "can_write",
        "own_only",
        "active",
        "created_by",
        "created_at",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
