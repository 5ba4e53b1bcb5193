"""The admin as a delivery: how a back office calls the services, like REST, the CLI and Celery.

A merchant's click in the admin runs a service as the signed-in user (`run`, `run_each`), with
the same DTO as the other deliveries (a dict is validated into it by `ServiceSpec.call`), and a
service error becomes an admin message, never a 500. Buttons on a change page post to one URL
each (`ServiceButtons`), outside the transaction Django opens for its change form, so services
that call the outside world (a supplier, a gateway) may run there too. `CsvExport` streams the
filtered change list as CSV, and `DateRangeFilter` filters a date or datetime column by a range.

It knows nothing of the project: the project's admin modules use it.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.text import slugify

from servicelayer import events
from servicelayer.dto import DTO, validate_input
from servicelayer.errors import InvalidInput, ServiceError
from servicelayer.events import EventQuery
from servicelayer.registry import spec_of
from servicelayer.roles import Role

__all__ = [
    "Button",
    "CommaListField",
    "CsvExport",
    "DateRangeFilter",
    "Panel",
    "ReadOnly",
    "ServiceButtons",
    "ServiceModelForm",
    "ServiceSave",
    "actor_of",
    "bulk_action",
    "change_link",
    "error_text",
    "history_panel",
    "run",
    "run_each",
]


def error_text(error: ServiceError) -> str:
    """What a merchant reads of a service error: its message, its fields' messages, its code."""
    parts = [error.message]
    for name, problems in error.fields.items():
        label = "" if name == "non_field_errors" else f"{name}: "
        parts.extend(f"{label}{problem}" for problem in problems)
    return f"{' '.join(parts)} ({error.code})"


def actor_of(request: HttpRequest) -> Any:
    """The signed-in user a service runs as (the admin lets no one else in)."""
    return request.user


def change_link(site: str, model: str, pk: int, text: str) -> str:
    """A link to a row's admin page: change_link("admin", "payments_payment", 4, "#4")."""
    return format_html('<a href="{}">{}</a>', reverse(f"{site}:{model}_change", args=[pk]), text)


def run(
    request: HttpRequest,
    service: Callable[..., Any],
    data: Any = None,
    *,
    done: str | Callable[[Any], str] | None = None,
    about: str = "",
) -> Any | None:
    """Run `service` as the signed-in user with `data` (its DTO, or a dict validated into it).

    A service error is an error message (prefixed by `about`, e.g. "Order #4: ") and None; a
    success is `done`'s message (a text, or made from the result) and the result."""
    try:
        result = spec_of(service).call(actor=actor_of(request), data=data)
    except ServiceError as error:
        messages.error(request, f"{about}{error_text(error)}")
        return None
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return result


def run_each(
    request: HttpRequest,
    service: Callable[..., Any],
    items: Iterable[tuple[str, Any]],
    *,
    done: str,
) -> int:
    """A bulk action: run `service` once per (label, data), each in its own transaction; every
    failure is its own error message ("Order #4: ..."), the successes one message
    (`done` formatted with their count: "Shipped {count} order(s)."). Returns the count."""
    count = 0
    for label, data in items:
        if run(request, service, data, about=f"{label}: ") is not None:
            count += 1
    if count:
        messages.success(request, done.format(count=count))
    return count


def bulk_action(
    service: Callable[..., Any],
    data: Callable[[int], Any],
    *,
    description: str,
    done: str,
    label: str,
    name: str = "",
    only: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
) -> Callable[[Any, HttpRequest, QuerySet[Any]], None]:
    """An admin action that runs `service` once per selected row (`run_each`): `data` makes
    its input from the row's id, `label` names a row in messages ("Order #{pk}"), `only`
    narrows the selection first. Offered to whom `has_act_permission` allows."""

    @admin.action(description=description, permissions=["act"])
    def action(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        rows = only(queryset) if only is not None else queryset
        ids = rows.order_by("pk").values_list("pk", flat=True)
        items = ((label.format(pk=pk), data(pk)) for pk in ids)
        run_each(request, service, items, done=done)

    action.__name__ = name or service.__name__
    return action


@dataclass(frozen=True)
class Button:
    """A button on a change page that runs a service for the object (POST to its own URL).

    `data` makes the service's input from the object's id; `shown` says whether the object
    offers it now (a paid order can be shipped, not delivered); `confirm`, if given, is asked
    in the browser first."""

    name: str  # the URL's last part: "ship"
    label: str  # "Ship"
    service: Callable[..., Any]
    data: Callable[[int], Any]
    done: str  # the success message, formatted with `obj`: "Order #{obj.pk} shipped."
    shown: Callable[[Any], bool] = lambda obj: True
    confirm: str = ""


@dataclass(frozen=True)
class Panel:
    """A read-only table under a change page's fields (an order's payments, its history)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    empty: str = "None."
    more: str = ""  # said under the table when it shows only part


def history_panel(subject: str, subject_id: int, *, shown: int = 100) -> Panel:
    """A subject's history (its events, servicelayer.events), oldest first, as a panel."""
    history = events.history(subject, subject_id, EventQuery(page_size=shown))
    return Panel(
        "History",
        ("When", "What", "Details"),
        [
            (
                event["created_at"],
                event["kind"],
                ", ".join(f"{key}: {value}" for key, value in event["payload"].items()) or "-",
            )
            for event in history.results
        ],
        empty="No event recorded yet.",
        more=f"The first {shown} events." if history.next_cursor else "",
    )


class RoleAccess(admin.ModelAdmin[Any]):
    """Who may use a model's admin pages: the role of the services behind them (`role`), as
    for every other delivery, rather than Django's per-model permissions, which the services
    know nothing of (a merchant made with `is_staff` holds none, and may still ship an order
    through the API). Without a `role`, Django's permissions decide. A subclass that returns
    False itself (no add, no delete) keeps its say."""

    role: Role | None = None

    def _role_allows(self, request: HttpRequest) -> bool:
        assert self.role is not None
        try:
            self.role.authorize(actor_of(request))
        except ServiceError:
            return False
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        if self.role is None:
            return super().has_module_permission(request)
        return self._role_allows(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.role is None:
            return super().has_view_permission(request, obj)
        return self._role_allows(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self.role is None:
            return super().has_add_permission(request)
        return self._role_allows(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.role is None:
            return super().has_change_permission(request, obj)
        return self._role_allows(request)

    def has_act_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """May run the page's services (its buttons and actions): the role, or else Django's
        permission to change the model."""
        if self.role is None:
            opts = self.opts
            return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        return self._role_allows(request)


class ReadOnly(RoleAccess):
    """Pages that show rows and never add, change or delete them (a record of what
    happened: events, payments, deliveries); what changes them is a service."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceButtons(RoleAccess):
    """A ModelAdmin mixin: `buttons` on the change page, each a POST that runs its service.

    The change page's template (servicelayer/admin/change_form.html) shows the buttons the
    object offers now, to whom `has_act_permission` allows. `panels` adds read-only tables
    under the fields, `links` pages beside the buttons."""

    buttons: Sequence[Button] = ()
    change_form_template = "servicelayer/admin/change_form.html"

    def panels(self, request: HttpRequest, obj: Any) -> list[Panel]:
        return []

    def links(self, request: HttpRequest, obj: Any) -> list[tuple[str, str]]:
        """(label, url) of pages beside the buttons (a form that asks for more, e.g. a count)."""
        return []

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        own = [
            path(
                f"<path:object_id>/{button.name}/",
                self.admin_site.admin_view(self._button_view(button)),
                name=f"{opts.app_label}_{opts.model_name}_{button.name}",
            )
            for button in self.buttons
        ]
        return own + super().get_urls()

    def _button_view(self, button: Button) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            if request.method != "POST":
                return HttpResponse(status=405, headers={"Allow": "POST"})
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_act_permission(request, obj):
                raise PermissionDenied
            if run(request, button.service, button.data(obj.pk)) is not None:
                obj.refresh_from_db()
                messages.success(request, button.done.format(obj=obj))
                self.log_change(
                    request, obj, f"{button.label} (through {button.service.__name__})."
                )
            return HttpResponseRedirect(self._change_url(obj.pk))

        view.__name__ = f"{button.name}_view"
        return view

    def _change_url(self, pk: int) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[pk]
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        offered = []
        if obj is not None and self.has_act_permission(request, obj):
            opts = self.opts
            offered = [
                {
                    "label": button.label,
                    "confirm": button.confirm,
                    "url": reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{button.name}",
                        args=[obj.pk],
                    ),
                }
                for button in self.buttons
                if button.shown(obj)
            ]
        context = {
            **(extra_context or {}),
            "service_buttons": offered,
            "service_panels": self.panels(request, obj) if obj is not None else [],
            "service_links": (
                self.links(request, obj)
                if obj is not None and self.has_act_permission(request, obj)
                else []
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)


class CommaListField(forms.Field):
    """A list of codes as a merchant types them ("pt, es"): distinct and sorted, upper-cased
    if `upper`; the DTO checks each."""

    def __init__(self, *, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        text = value if isinstance(value, str) else ""
        codes = {code.strip() for code in text.split(",") if code.strip()}
        return sorted(code.upper() for code in codes) if self.upper else sorted(codes)


class ServiceModelForm(forms.ModelForm[Any]):
    """A model's form checked against its services' DTOs: `new` (e.g. NewProduct, from the
    `creates` fields) when adding, `changes` (e.g. ProductChanges, from the `updates` fields
    that changed, and the row's id as `ref`) when editing. What the DTO refuses is an error on
    its field; `dto` is the service's input once the form is valid (None: nothing changed).
    The form itself saves nothing (ServiceSave does, through the services)."""

    new: type[DTO]
    changes: type[DTO]
    ref: str  # the id's field in `changes`: "product_id"
    creates: Sequence[str] = ()
    updates: Sequence[str] = ()
    # a form field whose DTO field is named otherwise: {"category": "category_id"} (a chosen
    # row is given as its id)
    input_names: Mapping[str, str] = {}
    dto: DTO | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        adding = self.instance.pk is None
        names = self.creates if adding else [n for n in self.updates if n in self.changed_data]
        data = {
            self.input_names.get(name, name): self._input_value(cleaned[name])
            for name in names
            if name in cleaned
        }
        if not adding:
            if not data:
                return cleaned  # nothing changes: no service to call
            data[self.ref] = self.instance.pk
            data |= self.row_input()
        try:
            self.dto = validate_input(self.new if adding else self.changes, data)
        except InvalidInput as error:
            form_names = {dto_name: name for name, dto_name in self.input_names.items()}
            for name, problems in error.fields.items():
                field = name.split(".")[0]  # "countries.0": the list's field
                field = form_names.get(field, field)
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return cleaned

    def row_input(self) -> dict[str, Any]:
        """What else `changes` needs to name the row (a variant's product), when editing."""
        return {}

    @staticmethod
    def _input_value(value: Any) -> Any:
        return value.pk if isinstance(value, Model) else value


class ServiceSave(RoleAccess):
    """A ModelAdmin mixin whose add and change forms (a ServiceModelForm) save through
    `create_service` and `update_service` as the signed-in user, never `obj.save()`. A service
    error the form could not foresee (a unique id taken meanwhile) is a message, and the
    change form's transaction is rolled back."""

    # services, set on the class (read from it: a function there is no method of the admin)
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if form.dto is None:
            return
        service = type(self).update_service if change else type(self).create_service
        out = service(actor=actor_of(request), data=form.dto)
        obj.pk = out.id
        plain = {f.name for f in obj._meta.concrete_fields if not f.is_relation}
        for name, value in out.model_dump().items():
            if name in plain:  # the row as written, for the messages and the admin's log
                setattr(obj, name, value)
        self.saved(request, out, change)

    def saved(self, request: HttpRequest, out: Any, change: bool) -> None:
        """After the service saved: what its answer tells the merchant (a secret shown once)."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the service saved the row; the form has no relations of its own to save

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:
            messages.error(request, error_text(error))
            return HttpResponseRedirect(request.get_full_path())


class CsvExport(RoleAccess):
    """A ModelAdmin mixin: "Export CSV" on the change list streams the filtered list (its
    filters, search and ordering; every page of it) as CSV, row by row, so a long list costs
    no memory. `csv_columns` are (header, field path for `values_list`)."""

    csv_columns: Sequence[tuple[str, str]] = ()
    change_list_template = "servicelayer/admin/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        opts = self.opts
        own = [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),
                name=f"{opts.app_label}_{opts.model_name}_export",
            )
        ]
        return own + super().get_urls()

    def filtered_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """The change list's rows as its filters and search choose them, unpaginated."""
        changelist: ChangeList = self.get_changelist_instance(request)
        return changelist.get_queryset(request)

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = self.filtered_queryset(request).values_list(*(f for _, f in self.csv_columns))

        class Echo:
            def write(self, value: str) -> str:
                return value

        writer = csv.writer(Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow([header for header, _ in self.csv_columns])
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow(row)

        name = slugify(str(self.opts.verbose_name_plural))
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )


class DateRangeFilter(admin.FieldListFilter):
    """A list filter for a date or datetime column: from one day to another, both included
    (`<field>__from=2026-12-01&<field>__to=2026-12-03`, in the project's time zone)."""

    template = "servicelayer/admin/date_range_filter.html"

    def __init__(
        self,
        field: Any,
        request: HttpRequest,
        params: dict[str, Any],
        model: type[Model],
        model_admin: Any,
        field_path: str,
    ) -> None:
        self.key_from = f"{field_path}__from"
        self.key_to = f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.day_from = self._day(self.key_from)
        self.day_to = self._day(self.key_to)

    def _day(self, key: str) -> date | None:
        value = self.used_parameters.get(key)
        if isinstance(value, list):
            value = value[-1] if value else None
        try:
            return parse_date(str(value)) if value else None
        except ValueError:
            return None

    def expected_parameters(self) -> list[str | None]:
        return [self.key_from, self.key_to]

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        is_datetime = self.field.get_internal_type() == "DateTimeField"
        lookup = f"{self.field_path}__date" if is_datetime else self.field_path
        if self.day_from is not None:
            queryset = queryset.filter(**{f"{lookup}__gte": self.day_from})
        if self.day_to is not None:
            queryset = queryset.filter(**{f"{lookup}__lte": self.day_to})
        return queryset

    def choices(self, changelist: ChangeList) -> Iterator[Any]:  # the template's own keys
        mine = {self.key_from, self.key_to}
        kept = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in mine
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {
            "key_from": self.key_from,
            "key_to": self.key_to,
            "day_from": self.day_from.isoformat() if self.day_from else "",
            "day_to": self.day_to.isoformat() if self.day_to else "",
            "kept": kept,
            "reset": changelist.get_query_string(remove=list(mine)),
            "selected": self.day_from is not None or self.day_to is not None,
        }
