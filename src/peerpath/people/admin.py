"""System-admin views of the raw records; everyday edits happen in Peerpath's own admin pages."""

from django.contrib import admin

from peerpath.people.models import Department, ExpertReviewer, JobRole, Team, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "department", "works_shifts"]
    list_filter = ["department", "works_shifts"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(JobRole)
class JobRoleAdmin(admin.ModelAdmin[JobRole]):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ExpertReviewer)
class ExpertReviewerAdmin(admin.ModelAdmin[ExpertReviewer]):
    list_display = ["user", "skill", "granted_at"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "skill"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "display_name", "team", "is_active", "is_learning_admin", "is_staff"]
    list_filter = ["is_active", "is_learning_admin", "is_staff", "team"]
    search_fields = ["email", "display_name"]
    list_select_related = ["team"]
    # Reporting lines change through Peerpath's admin pages, which keep line_path in step.
    readonly_fields = [
        "public_id",
        "manager",
        "line_path",
        "last_login",
        "date_joined",
        "deactivated_at",
    ]
    exclude = ["password", "user_permissions", "groups"]
