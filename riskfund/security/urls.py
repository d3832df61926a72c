from django.urls import path

from .views import two_factor

urlpatterns = [path("", two_factor, name="two_factor")]
