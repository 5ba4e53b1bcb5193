"""The order admin acts only through ordering's services, as the signed-in merchant."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.tests.helpers import messages_of, signed_in
from apps.catalog.interface import products_by_ids
from apps.ordering.dto import NewOrder
from apps.ordering.models import Order
from apps.ordering.services import order_place
from apps.payments.models import Payment
from servicelayer.models import Event


@pytest.fixture
def desk(client, merchant):
    """The admin, signed in as a merchant holding the merchant group's permissions."""
    return signed_in(client, merchant)


@pytest.fixture
def place(shopper, make_product):
    product = make_product("Mug", price="12.50", stock=10)

    def place(quantity=1, user=None):
        return order_place(
            actor=user or shopper, data=NewOrder(product_id=product.pk, quantity=quantity)
        )

    place.product = product  # type: ignore[attr-defined]
    return place


@pytest.fixture
def paid(place, pay, shopper):
    order = place()
    pay(shopper, order.id)
    return order


def button(name, order_id):
    return reverse(f"admin:ordering_order_{name}", args=[order_id])


def status_of(order_id):
    return Order.objects.get(pk=order_id).status


def kinds_of(order_id):
    return list(
        Event.objects.filter(subject="order", subject_id=order_id)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_shipping_a_paid_order_from_its_page_runs_order_ship(desk, paid):
    response = desk.post(button("ship", paid.id))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ordering_order_change", args=[paid.id])
    assert status_of(paid.id) == "shipped"
    assert kinds_of(paid.id)[-1] == "order.shipped"  # the service's event, not a raw save
    assert f"Order #{paid.id} is shipped." in messages_of(response)


def test_then_delivering_it(desk, paid):
    desk.post(button("ship", paid.id))
    desk.post(button("deliver", paid.id))
    assert status_of(paid.id) == "delivered"
    assert kinds_of(paid.id)[-2:] == ["order.shipped", "order.delivered"]


def test_an_illegal_transition_is_a_message_not_a_500(desk, place):
    unpaid = place()
    response = desk.post(button("ship", unpaid.id), follow=True)
    assert response.status_code == 200
    assert status_of(unpaid.id) == "awaiting_payment"
    [message] = messages_of(response)
    assert "cannot become shipped" in message
    assert "(illegal_transition)" in message


def test_canceling_a_paid_order_refunds_it_and_gives_its_stock_back(
    desk, place, pay, shopper, django_capture_on_commit_callbacks
):
    order = place(quantity=3)
    pay(shopper, order.id)
    assert products_by_ids([place.product.pk])[place.product.pk].stock == 7
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(button("cancel", order.id))
    assert status_of(order.id) == "canceled"
    assert products_by_ids([place.product.pk])[place.product.pk].stock == 10
    assert Payment.objects.get(payable_id=order.id).status == "refunded"
    assert kinds_of(order.id)[-2:] == ["order.canceled", "order.refunded"]


def test_buttons_are_posts(desk, paid):
    assert desk.get(button("ship", paid.id)).status_code == 405
    assert status_of(paid.id) == "paid"


def test_the_page_offers_the_buttons_the_order_allows_now(desk, paid, place):
    page = desk.get(reverse("admin:ordering_order_change", args=[paid.id])).content.decode()
    assert button("ship", paid.id) in page
    assert button("cancel", paid.id) in page
    assert button("deliver", paid.id) not in page
    unpaid = place()
    page = desk.get(reverse("admin:ordering_order_change", args=[unpaid.id])).content.decode()
    assert button("ship", unpaid.id) not in page
    assert button("cancel", unpaid.id) in page


def test_bulk_ship_ships_the_paid_ones_and_says_why_not_the_others(desk, place, pay, shopper):
    first, second, unpaid = place(), place(), place()
    pay(shopper, first.id)
    pay(shopper, second.id)
    response = desk.post(
        reverse("admin:ordering_order_changelist"),
        {"action": "order_ship", "_selected_action": [first.id, second.id, unpaid.id]},
    )
    assert response.status_code == 302
    assert [status_of(o.id) for o in (first, second, unpaid)] == [
        "shipped",
        "shipped",
        "awaiting_payment",
    ]
    messages = messages_of(response)
    assert f"Order #{unpaid.id}: A awaiting_payment order cannot become shipped." in messages[0]
    assert messages[-1] == "Shipped 2 order(s)."


def test_bulk_cancel(desk, place):
    orders = [place(), place()]
    desk.post(
        reverse("admin:ordering_order_changelist"),
        {"action": "order_cancel", "_selected_action": [o.id for o in orders]},
    )
    assert {status_of(o.id) for o in orders} == {"canceled"}


def test_an_order_cannot_be_deleted_edited_or_added(desk, place):
    order = place()
    assert desk.get(reverse("admin:ordering_order_delete", args=[order.id])).status_code == 403
    assert (
        desk.post(
            reverse("admin:ordering_order_delete", args=[order.id]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert desk.get(reverse("admin:ordering_order_add")).status_code == 403
    page = desk.get(reverse("admin:ordering_order_change", args=[order.id])).content.decode()
    assert 'name="_save"' not in page  # no form to save: the page is read only
    assert 'name="lines-MAX_NUM_FORMS" value="0"' in page  # no line is added here
    listing = desk.get(reverse("admin:ordering_order_changelist")).content.decode()
    assert "delete_selected" not in listing
    desk.post(
        reverse("admin:ordering_order_changelist"),
        {"action": "delete_selected", "_selected_action": [order.id], "post": "yes"},
    )
    assert Order.objects.filter(pk=order.id).exists()
    assert products_by_ids([place.product.pk])[place.product.pk].stock == 9


def test_the_order_page_shows_its_lines_customer_payments_and_history(desk, paid, shopper):
    shopper.email = "alice@example.com"
    shopper.save()
    page = desk.get(reverse("admin:ordering_order_change", args=[paid.id])).content.decode()
    assert "Mug" in page
    assert "12.50" in page
    assert "alice@example.com" in page
    assert reverse("admin:auth_user_change", args=[shopper.pk]) in page
    payment = Payment.objects.get(payable_id=paid.id)
    assert reverse("admin:payments_payment_change", args=[payment.pk]) in page
    assert "succeeded" in page
    assert 'data-panel="history"' in page
    assert "order.placed" in page
    assert "order.paid" in page


def test_any_merchant_may_act_as_the_services_allow_and_no_one_else(client, make_user, paid):
    # staff, and no Django permission at all: a merchant as `agora_user --merchant` makes one
    clerk = make_user("clerk", staff=True)
    assert not clerk.user_permissions.exists()
    signed_in(client, clerk)
    page = client.get(reverse("admin:ordering_order_change", args=[paid.id])).content.decode()
    assert button("ship", paid.id) in page
    client.post(button("ship", paid.id))
    assert status_of(paid.id) == "shipped"
    shopper_client = signed_in(Client(), make_user("eve"))
    response = shopper_client.post(button("deliver", paid.id))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]  # the admin lets no customer in
    assert status_of(paid.id) == "shipped"


def test_search_by_order_id_username_and_email(desk, place, make_user):
    bob = make_user("bob", email="bob@example.com")
    mine, bobs = place(), place(user=bob)
    listing = reverse("admin:ordering_order_changelist")

    def found(term):
        return {row.pk for row in desk.get(listing, {"q": term}).context["cl"].result_list}

    assert found(str(bobs.id)) == {bobs.id}
    assert found("bob") == {bobs.id}
    assert found("bob@example.com") == {bobs.id}
    assert found("alice") == {mine.id}
    assert found("no-such-thing") == set()
    assert found("9" * 30) == set()  # no number the id column holds: no error either


def test_date_range_filter(desk, place):
    old, new = place(), place()
    Order.objects.filter(pk=old.id).update(created_at=timezone.now() - timedelta(days=10))
    listing = reverse("admin:ordering_order_changelist")
    today = timezone.now().date()
    response = desk.get(listing, {"created_at__from": (today - timedelta(days=1)).isoformat()})
    assert {row.pk for row in response.context["cl"].result_list} == {new.id}
    response = desk.get(listing, {"created_at__to": (today - timedelta(days=5)).isoformat()})
    assert {row.pk for row in response.context["cl"].result_list} == {old.id}


def test_csv_export_streams_the_filtered_list(desk, place, pay, shopper):
    paid_one, _unpaid = place(), place(quantity=2)
    pay(shopper, paid_one.id)
    response = desk.get(reverse("admin:ordering_order_export"), {"status__exact": "paid"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["id"], row["customer"], row["status"], row["total"]) for row in rows] == [
        (str(paid_one.id), "alice", "paid", "12.50")
    ]
    everything = desk.get(reverse("admin:ordering_order_export"))
    lines = b"".join(everything.streaming_content).decode().strip().splitlines()
    assert len(lines) == 3  # the header and both orders
    listing = desk.get(reverse("admin:ordering_order_changelist"), {"status__exact": "paid"})
    assert (
        reverse("admin:ordering_order_export") + "?status__exact=paid" in listing.content.decode()
    )


def test_a_date_that_is_no_date_filters_nothing(desk, place):
    order = place()
    listing = reverse("admin:ordering_order_changelist")
    for bad in ("garbage", "2026-13-45", "9" * 30):
        response = desk.get(listing, {"created_at__from": bad})
        assert response.status_code == 200
        assert [row.pk for row in response.context["cl"].result_list] == [order.id]
