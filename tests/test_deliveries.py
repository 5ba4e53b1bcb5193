"""The same services from the command line and from Celery, with the same validation."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.interface import products_by_ids
from apps.ordering.dto import OrderRef, PlaceOrder
from apps.ordering.models import Order
from apps.ordering.services import order_expire_unpaid, order_place
from servicelayer.errors import InvalidInput, NotFound
from servicelayer.tasks import enqueue, run_service


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_manage_py_services_prints_the_catalog_per_actor(db):
    text = run("services")
    for heading in ("== anyone ==", "== merchant ==", "== shopper ==", "== system =="):
        assert heading in text
    assert "order_place: Order a quantity of one product" in text
    assert "errors: invalid, not_authenticated, product_not_found, out_of_stock" in text
    listed = json.loads(run("services", "--json"))
    assert "product_create" in {s["name"] for s in listed["merchant"]}


def test_manage_py_call_runs_a_service_as_a_user(shopper, make_product):
    product = make_product(stock=3, price="4.00")
    out = run(
        "call",
        "order_place",
        "--as",
        "alice",
        "--input",
        json.dumps({"product_id": product.pk, "quantity": 2}),
    )
    result = json.loads(out)
    assert (result["status"], result["total"]) == ("awaiting_payment", "8.00")
    assert products_by_ids([product.pk])[product.pk].stock == 1


def test_manage_py_call_refuses_bad_input_with_a_clear_error_and_nonzero_exit(
    shopper, make_product, capsys
):
    product = make_product()
    with pytest.raises(CommandError) as caught:
        call_command(
            "call",
            "order_place",
            "--as",
            "alice",
            "--input",
            json.dumps({"product_id": product.pk}),
        )
    assert caught.value.returncode == 2
    error = json.loads(capsys.readouterr().err)["error"]
    assert error["fields"] == {"quantity": ["Field required"]}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["call", "no_such_service"], "not_found"),
        (["call", "order_place", "--input", "{nope"], "invalid"),
        (["call", "order_place", "--input", "{}"], "not_authenticated"),
        (["call", "order_place", "--as", "ghost", "--input", "{}"], "not_found"),
        (["call", "product_create", "--as", "alice", "--input", "{}"], "forbidden"),
    ],
)
def test_manage_py_call_errors(shopper, capsys, args, code):
    with pytest.raises(CommandError):
        call_command(*args)
    assert json.loads(capsys.readouterr().err)["error"]["code"] == code


def test_a_celery_task_runs_a_service_with_a_json_safe_dto(shopper, make_product):
    product = make_product(stock=5, price="1.25")
    result = run_service.delay(
        "order_place", {"product_id": product.pk, "quantity": 4}, actor_id=shopper.pk
    )
    body = result.get()
    assert body["total"] == "5.00"  # JSON-safe: Decimal as a string
    assert body["lines"][0]["quantity"] == 4
    assert Order.objects.get().owner == shopper


def test_a_celery_task_validates_like_every_other_delivery(shopper):
    with pytest.raises(InvalidInput):
        run_service.delay("order_place", {"quantity": 0}, actor_id=shopper.pk).get()
    with pytest.raises(NotFound):
        run_service.delay("order_place", {}, actor_id=987654).get()


def test_enqueue_waits_for_the_transaction_to_commit(
    shopper, make_product, django_capture_on_commit_callbacks
):
    product = make_product(stock=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(
            order_place,
            data=PlaceOrder(product_id=product.pk, quantity=1),
            actor_id=shopper.pk,
        )
    assert not Order.objects.exists()  # nothing ran inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert Order.objects.count() == 1


def test_enqueue_takes_the_services_own_dto_and_refuses_anything_else_at_once(
    shopper, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(TypeError, match="takes a PlaceOrder, not dict"):
            enqueue(order_place, data={"product_id": 1, "quantity": 1})  # type: ignore[call-overload]
        with pytest.raises(TypeError, match="takes a PlaceOrder, not OrderRef"):
            enqueue(order_place, data=OrderRef(order_id=1), actor_id=shopper.pk)
        with pytest.raises(TypeError, match="takes no input"):
            enqueue(order_expire_unpaid, data=OrderRef(order_id=1))
    assert callbacks == []  # nothing was scheduled


def test_celery_runs_in_process_without_a_broker():
    from config.celery import app

    assert app.conf.broker_url in ("", None, "memory://") or app.conf.task_always_eager
    assert app.conf.task_always_eager is True


def test_operators_create_users_with_tokens_from_the_command_line(db):
    out = run("agora_user", "ops", "--password", "long-enough-pw", "--merchant")
    assert out.startswith("ops token: ")
    from django.contrib.auth.models import User

    assert User.objects.get(username="ops").is_staff
    with pytest.raises(CommandError, match="username_taken"):
        run("agora_user", "ops", "--password", "long-enough-pw")
    with pytest.raises(CommandError, match="password"):
        run("agora_user", "newbie", "--password", "short")


def test_the_demo_data_loads_twice_without_duplicates(db):
    from apps.catalog.models import Product

    first = run("load_demo")
    count = Product.objects.count()
    second = run("load_demo")
    assert count == 8
    assert Product.objects.count() == count
    assert "8 products and 3 hotels added" in first
    assert "0 products and 0 hotels added" in second
    assert "merchant" in second
    assert "shopper" in second


def test_the_shop_from_the_command_line(shopper, make_product, gateway):
    product = make_product(stock=4, price="2.00")
    run(
        "call",
        "basket_add_item",
        "--as",
        "alice",
        "--input",
        json.dumps({"product_id": product.pk, "quantity": 3}),
    )
    order = json.loads(run("call", "order_confirm", "--as", "alice"))
    payment = json.loads(
        run(
            "call",
            "payment_pay",
            "--as",
            "alice",
            "--input",
            json.dumps({"order_id": order["id"], "card_token": "tok_visa"}),
        )
    )
    assert (payment["status"], payment["amount"]) == ("succeeded", "6.00")
    assert json.loads(run("call", "order_expire_unpaid")) == {"expired": []}


def test_the_shop_from_celery_tasks(shopper, make_product, gateway):
    product = make_product(stock=4, price="2.00")
    run_service.delay(
        "basket_add_item", {"product_id": product.pk, "quantity": 1}, actor_id=shopper.pk
    ).get()
    order = run_service.delay("order_confirm", None, actor_id=shopper.pk).get()
    payment = run_service.delay(
        "payment_pay", {"order_id": order["id"], "card_token": "tok_visa"}, actor_id=shopper.pk
    ).get()
    assert payment["status"] == "succeeded"
    assert run_service.delay("order_expire_unpaid").get() == {"expired": []}


def test_every_periodic_job_names_a_registered_system_service(settings):
    from servicelayer.registry import registry

    for job in settings.CELERY_BEAT_SCHEDULE.values():
        assert job["task"] == "servicelayer.run_service"
        spec = registry.get(job["args"][0])
        assert spec.actor.name == "system"


def test_every_system_job_without_input_is_scheduled(settings):
    """A job nobody schedules never runs: each input-less system service has a beat entry."""
    from servicelayer.registry import registry

    scheduled = {job["args"][0] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    jobs = {spec.name for spec in registry if spec.actor.name == "system" and spec.dto is None}
    assert "token_purge_expired" in jobs
    assert jobs <= scheduled, jobs - scheduled


def test_the_travel_desk_from_the_command_line_and_celery(shopper, make_hotel, sandbox):
    from datetime import timedelta

    from django.utils import timezone

    hotel = make_hotel()
    start = timezone.now().date() + timedelta(days=3)
    stay = {
        "hotel_id": hotel.pk,
        "start_date": str(start),
        "end_date": str(start + timedelta(days=2)),
    }
    booked = json.loads(run("call", "booking_book", "--as", "alice", "--input", json.dumps(stay)))
    assert booked["status"] == "confirmed"
    canceled = run_service.delay(
        "booking_cancel", {"booking_id": booked["id"]}, actor_id=shopper.pk
    ).get()
    assert canceled["status"] == "canceled"
    assert run_service.delay("booking_reconcile").get() == {
        "confirmed": [],
        "failed": [],
        "unresolved": [],
        "orphans_canceled": [],
    }
