"""Agora's admin site: Django's, with the business's home page as its index.

The index shows the dashboard (dashboard.py) above the list of models. Like every page of the
admin it is for staff only (AdminSite.admin_view)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from apps.backoffice.dashboard import dashboard


class AgoraAdminSite(admin.AdminSite):
    site_header = "Agora back office"
    site_title = "Agora back office"
    index_title = "The business today"
    index_template = "backoffice/index.html"

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        context = {**(extra_context or {}), "dashboard": dashboard(now=timezone.now())}
        return super().index(request, context)
