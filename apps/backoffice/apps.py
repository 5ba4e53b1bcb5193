"""The back office: the admin site with the business's home page (see sites.py)."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackofficeConfig(AppConfig):
    default = True
    name = "apps.backoffice"
    label = "backoffice"
    verbose_name = "Back office"


class AgoraAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, whose default site is Agora's (its index is the dashboard):
    listed in INSTALLED_APPS in place of "django.contrib.admin"."""

    default = False  # the back office's own app is BackofficeConfig
    default_site = "apps.backoffice.sites.AgoraAdminSite"
