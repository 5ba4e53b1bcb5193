"""Inputs and outputs of webhooks' services and reads."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from apps.webhooks.kinds import OFFERED_KINDS, EventType
from apps.webhooks.targets import MAX_URL, check_url
from servicelayer.dto import DTO, Id, Output


def _distinct_sorted(kinds: list[str]) -> list[str]:
    return sorted(set(kinds))


WebhookUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL,
        description="Where deliveries are posted: https (http only in development), a public host.",
    ),
    AfterValidator(check_url),
]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(OFFERED_KINDS),
        description="The kinds of event it receives.",
    ),
    AfterValidator(_distinct_sorted),
]


class NewWebhookEndpoint(DTO):
    url: WebhookUrl
    event_types: EventTypes
    is_active: bool = True


class WebhookEndpointChanges(DTO):
    """A partial update: only the fields given change."""

    endpoint_id: Id
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"endpoint_id"}
        if not changed:
            raise ValueError("Give at least one of url, event_types, is_active.")
        for name in changed:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class WebhookEndpointRef(DTO):
    endpoint_id: Id


class WebhookDeliveryRef(DTO):
    delivery_id: Id


class WebhookDeliveryQuery(DTO):
    status: Literal["pending", "succeeded", "failed"] | None = Field(
        default=None, description="Only deliveries in this state."
    )
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class WebhookEndpointOut(Output):
    id: int
    url: str
    event_types: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(
        description="Signs every delivery (Agora-Signature). Shown this once: keep it."
    )


class WebhookAttemptOut(Output):
    at: datetime
    status_code: int | None = Field(description="The receiver's answer; null if none came.")
    error: str = Field(description="Why the attempt failed; empty on a 2xx.")
    duration_ms: int


class WebhookDeliveryOut(Output):
    id: int = Field(description="Sent as Agora-Webhook-Id: the same on every attempt.")
    event_id: int
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is due; pending only.")
    last_status_code: int | None
    last_error: str
    created_at: datetime
    body: str = Field(description="The exact JSON posted on every attempt.")
    attempt_log: list[WebhookAttemptOut] = Field(description="Its attempts, oldest first.")


class WebhookDeliveryResult(Output):
    delivery_id: int
    attempted: bool = Field(description="False: not due, or another worker holds it.")
    status: str


class WebhooksDue(Output):
    enqueued: list[int]


ENDPOINT_FIELDS = tuple(WebhookEndpointOut.model_fields)
DELIVERY_FIELDS = tuple(name for name in WebhookDeliveryOut.model_fields if name != "attempt_log")
ATTEMPT_FIELDS = tuple(WebhookAttemptOut.model_fields)
