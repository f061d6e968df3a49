"""What the admin of every timeline shares."""

from simple_history.admin import SimpleHistoryAdmin


class TimelineStepAdmin(SimpleHistoryAdmin):
    """Admin of one step of a timeline (an approach assessment, a status change) whose parent
    keeps its current value equal to the latest step: every save or delete re-syncs the parent,
    and the old parent too when a step moves to another."""

    parent_field = ""

    def sync_parent(self, parent):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        previous = None
        if change and obj.pk:
            previous = getattr(type(obj)._default_manager.get(pk=obj.pk), self.parent_field)
        super().save_model(request, obj, form, change)
        self.sync_parent(getattr(obj, self.parent_field))
        if previous is not None and previous.pk != getattr(obj, f"{self.parent_field}_id"):
            self.sync_parent(previous)

    def delete_model(self, request, obj):
        parent = getattr(obj, self.parent_field)
        super().delete_model(request, obj)
        self.sync_parent(parent)

    def delete_queryset(self, request, queryset):
        parents = {getattr(step, self.parent_field) for step in queryset.select_related()}
        super().delete_queryset(request, queryset)
        for parent in parents:
            self.sync_parent(parent)
