"""The same services from the command line and from Celery, with the same validation."""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command

from apps.catalog.interface import products_by_ids
from apps.ordering.dto import NewOrder, OrderRef
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
    ("args", "code", "exit_code"),
    [
        (["call", "order_place", "--input", "{nope"], "invalid", 2),
        (["call", "order_place", "--input", "{}"], "not_authenticated", 3),
        (["call", "product_create", "--as", "alice", "--input", "{}"], "forbidden", 4),
        (["call", "no_such_service"], "service_not_found", 5),
        (["call", "order_place", "--as", "ghost", "--input", "{}"], "user_not_found", 5),
        (
            ["call", "order_place", "--as", "alice", "--input", '{"product_id": 9, "quantity": 1}'],
            "product_not_found",
            5,
        ),
    ],
)
def test_manage_py_call_errors_exit_by_kind_and_print_the_body_once(
    shopper, capsys, args, code, exit_code
):
    with pytest.raises(CommandError) as caught:
        call_command(*args)
    assert caught.value.returncode == exit_code
    captured = capsys.readouterr()
    body = json.loads(captured.err)  # the one body, nothing else around it
    assert body["error"]["code"] == code
    assert json.loads(str(caught.value)) == body  # what a Python caller sees: the same body
    assert captured.out == ""


def test_an_unknown_service_suggests_the_closest_names(capsys):
    with pytest.raises(CommandError):
        call_command("call", "order_plase")
    error = json.loads(capsys.readouterr().err)["error"]
    assert error["code"] == "service_not_found"
    assert error["details"]["did_you_mean"][0] == "order_place"
    assert "manage.py services" in error["message"]


def test_acting_as_an_unknown_user_says_so(db, capsys):
    with pytest.raises(CommandError):
        call_command("call", "order_place", "--as", "ghost")
    error = json.loads(capsys.readouterr().err)["error"]
    assert error == {
        "code": "user_not_found",
        "message": "There is no user 'ghost' to act as (--as).",
        "details": {"username": "ghost"},
    }


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (["call", "order_plase"], "service_not_found", 5),
        (["call", "order_place", "--input", "{nope"], "invalid", 2),
        (["call", "order_place"], "not_authenticated", 3),
        (["agora_user", "ops", "--password", "short"], "password_invalid", 2),
    ],
)
def test_the_command_line_prints_one_error_body_and_exits_by_kind(
    db, capsys, args, code, exit_code
):
    """What manage.py runs once Django is set up, in this process (its django.setup() would
    point logging at this test's captured stderr); test_the_exit_code_reaches_the_shell runs
    manage.py itself."""
    argv = ["manage.py", *args]
    command = ManagementUtility(argv).fetch_command(args[0])
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(argv)
    assert exited.value.code == exit_code
    captured = capsys.readouterr()
    assert json.loads(captured.err)["error"]["code"] == code  # nothing but the body
    assert captured.out == ""


def test_the_exit_code_reaches_the_shell(tmp_path):
    """manage.py in a process of its own, as an operator runs it (an empty database)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "call", "order_place"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stderr)["error"]["code"] == "not_authenticated"
    assert done.stdout == ""


def test_model_validator_messages_read_the_same_through_the_api_and_the_cli(
    merchant, make_product, api, capsys
):
    product = make_product()
    expected = {"non_field_errors": ["Give exactly one of delta and set_to."]}
    response = api(merchant).post(f"/api/products/{product.pk}/stock/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == expected
    with pytest.raises(CommandError):
        call_command(
            "call",
            "product_stock_change",
            "--as",
            "mia",
            "--input",
            json.dumps({"product_id": product.pk}),
        )
    assert json.loads(capsys.readouterr().err)["error"]["fields"] == expected


def test_a_stay_s_rule_reads_as_written_through_the_api(shopper, make_hotel, api):
    hotel = make_hotel()
    stay = {"hotel_id": hotel.pk, "start_date": "2099-01-02", "end_date": "2099-01-02"}
    stay |= {"room_type": "standard", "guests": 2, "quoted_total": "100.00"}
    response = api(shopper).post("/api/bookings/", stay, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["end_date must be after start_date."]
    }


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
            data=NewOrder(product_id=product.pk, quantity=1),
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
        with pytest.raises(TypeError, match="takes a NewOrder, not dict"):
            enqueue(order_place, data={"product_id": 1, "quantity": 1})  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="takes a NewOrder, not OrderRef"):
            enqueue(order_place, data=OrderRef(order_id=1), actor_id=shopper.pk)
        with pytest.raises(TypeError, match="takes no input"):
            enqueue(order_expire_unpaid, data=OrderRef(order_id=1))
    assert callbacks == []  # nothing was scheduled


def test_celery_runs_in_process_without_a_broker():
    from config.celery import app

    assert app.conf.broker_url in ("", None, "memory://") or app.conf.task_always_eager
    assert app.conf.task_always_eager is True


def test_operators_create_users_with_tokens_from_the_command_line(db, capsys):
    out = run("agora_user", "ops", "--password", "long-enough-pw", "--merchant")
    assert out.startswith("ops token: ")
    from django.contrib.auth.models import User

    assert User.objects.get(username="ops").is_staff
    capsys.readouterr()
    with pytest.raises(CommandError) as caught:
        run("agora_user", "ops", "--password", "long-enough-pw")
    assert caught.value.returncode == 6  # a conflict, as `manage.py call` says it
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "username_taken"
    with pytest.raises(CommandError) as caught:
        run("agora_user", "newbie", "--password", "short")
    assert caught.value.returncode == 2
    error = json.loads(capsys.readouterr().err)["error"]
    assert error["code"] == "password_invalid"
    assert list(error["fields"]) == ["password"]


def test_the_demo_data_loads_twice_without_duplicates(db):
    from apps.addresses.models import Address
    from apps.bookings.models import Hotel
    from apps.catalog.models import Product
    from apps.shipping.models import ShippingMethod

    first = run("load_demo")
    counts = (Product.objects.count(), ShippingMethod.objects.count(), Address.objects.count())
    second = run("load_demo")
    assert counts == (9, 2, 1)
    assert (Product.objects.count(), ShippingMethod.objects.count(), Address.objects.count()) == (
        counts
    )
    assert "9 products, 2 shipping methods and 4 hotels added" in first
    assert Hotel.objects.filter(supplier="stayhub").exists()  # both suppliers are demoed
    assert "0 products, 0 shipping methods and 0 hotels added" in second
    assert Product.objects.filter(ships=False).exists()  # a digital product, paid as it is
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
        assert spec.role.name == "system"


def test_every_system_job_without_input_is_scheduled(settings):
    """A job nobody schedules never runs: each input-less system service has a beat entry."""
    from servicelayer.registry import registry

    scheduled = {job["args"][0] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    jobs = {spec.name for spec in registry if spec.role.name == "system" and spec.dto is None}
    assert "token_purge_expired" in jobs
    assert jobs <= scheduled, jobs - scheduled


def test_the_travel_desk_from_the_command_line_and_celery(shopper, make_hotel, sandbox):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import stay_input

    hotel = make_hotel()
    start = timezone.now().date() + timedelta(days=3)
    stay = stay_input(hotel, first=start, nights=2)
    booked = json.loads(run("call", "booking_book", "--as", "alice", "--input", json.dumps(stay)))
    assert booked["status"] == "awaiting_payment"
    payment = {"booking_id": booked["id"], "card_token": "tok_visa"}
    paid = json.loads(
        run("call", "payment_pay_booking", "--as", "alice", "--input", json.dumps(payment))
    )
    assert paid["status"] == "succeeded"
    placed = run_service.delay("booking_place", {"booking_id": booked["id"]}).get()
    assert placed["status"] == "confirmed"  # what the payment enqueued, run by a worker
    canceled = run_service.delay(
        "booking_cancel", {"booking_id": booked["id"]}, actor_id=shopper.pk
    ).get()
    assert canceled["status"] == "canceled"
    assert run_service.delay("booking_reconcile").get() == {
        "confirmed": [],
        "failed": [],
        "unresolved": [],
        "orphans_canceled": [],
        "canceled_by_supplier": [],
        "canceled": [],
    }


def test_the_readme_documents_the_exit_codes_of_the_command_line():
    from servicelayer.management.base import exit_codes_help

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme[readme.index("## From the command line") :]
    rows = re.findall(r"^\| (\d) \| ([a-z ]+?) *[(|]", section, flags=re.MULTILINE)
    assert ", ".join(f"{code} {kind}" for code, kind in rows) == exit_codes_help()
