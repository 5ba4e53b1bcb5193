"""A queued mail made into a message: `notifications/email/<template>` gives the subject
(`_subject.txt`), the text body (`.txt`) and the HTML body (`.html`)."""

from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def message_id(event_id: int, template: str) -> str:
    """The same for every attempt at one mail, so that a receiver can drop a repeat: derived
    from the event (the mail's idempotency key), under the sender's domain rather than the
    sending host's, which differs from worker to worker."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<agora.event-{event_id}.{template}@{domain}>"


def render(
    *, event_id: int, template: str, to: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    context = {**context, "frontend_url": settings.AGORA_FRONTEND_URL}
    base = f"notifications/email/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"{base}.txt", context),
        to=[to],
        headers={"Message-ID": message_id(event_id, template)},
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message
