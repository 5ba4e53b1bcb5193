"""The browsable API (DRF's HTML pages): JSON indented, and each write's body prefilled.

DRF fills the raw-data form of a write from the view's serializer; the toolkit's views have
none, so the form came up empty. Here it holds an example built from the operation's input
model (servicelayer.rest.examples): the fields to send, with values of the right types within
their bounds, ready to edit and send.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from rest_framework import renderers
from rest_framework.request import Request

from servicelayer import jsonutil
from servicelayer.rest.examples import example_of

if TYPE_CHECKING:  # DRF's views import the renderers from settings: no import at run time
    from rest_framework.views import APIView


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_raw_data_form(
        self, data: Any, view: "APIView", method: str, request: Request
    ) -> forms.Form | None:
        form = super().get_raw_data_form(data, view, method, request)
        endpoint = getattr(view, "endpoints", {}).get(method.lower())
        body = endpoint.body() if endpoint is not None else None
        if form is not None and body is not None and not form.fields["_content"].initial:
            example = jsonutil.dumps(example_of(body), indent=True).decode()
            form.fields["_content"].initial = example
        return form
