"""The third-party model admins (users and groups, knox tokens, Celery beat schedules) on unfold's base classes, so
every page of the admin wears the same theme; the menu puts them under "系统" (riskfund/dashboard/navigation.py).

Each is re-registered with its package's own admin class first in the MRO: behaviour stays the package's, only the
rendering is unfold's.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from knox.admin import AuthTokenAdmin as BaseAuthTokenAdmin
from knox.models import AuthToken
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget


class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


class AuthTokenAdmin(BaseAuthTokenAdmin, ModelAdmin):
    pass


class TaskSelectWidget(UnfoldAdminSelectWidget, beat_admin.TaskSelectWidget):
    pass


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].widget = UnfoldAdminTextInputWidget()
        self.fields["regtask"].widget = TaskSelectWidget()


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin, ModelAdmin):
    form = PeriodicTaskForm


class PeriodicTaskInline(beat_admin.PeriodicTaskInline, TabularInline):
    pass


def _schedule_admin(base: type) -> type:
    return type(base.__name__, (base, ModelAdmin), {"__module__": __name__, "inlines": [PeriodicTaskInline]})


REPLACEMENTS = {
    User: UserAdmin,
    Group: GroupAdmin,
    AuthToken: AuthTokenAdmin,
    PeriodicTask: PeriodicTaskAdmin,
    ClockedSchedule: _schedule_admin(beat_admin.ClockedScheduleAdmin),
    CrontabSchedule: _schedule_admin(beat_admin.CrontabScheduleAdmin),
    SolarSchedule: _schedule_admin(beat_admin.SolarScheduleAdmin),
    IntervalSchedule: _schedule_admin(beat_admin.IntervalScheduleAdmin),
}

for model, model_admin in REPLACEMENTS.items():
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
