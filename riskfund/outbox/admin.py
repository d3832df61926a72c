"""Admin for the outbox: events are read-only (they are written by services, delivered by ``banks``)."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from .models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(ModelAdmin):
    list_display = ["created", "type", "bank", "state", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["state", "type", "bank"]
    search_fields = ["id", "bank__code", "bank__name"]
    date_hierarchy = "created"
    list_select_related = ["bank"]
    readonly_fields = ["id", "bank", "type", "created", "data", "state", "attempts", "next_attempt_at", "delivered_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
