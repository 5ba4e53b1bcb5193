"""The hotel and booking admin act only through the travel desk's services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.tests.helpers import messages_of, signed_in
from apps.bookings.dto import NewBooking
from apps.bookings.models import BookingStatus, Hotel, HotelBooking
from apps.bookings.tests.paying import book_and_pay
from servicelayer.models import Event
from tests import factories


@pytest.fixture
def desk(client, merchant):
    return signed_in(client, merchant)


@pytest.fixture
def book(shopper, make_hotel):
    hotel = make_hotel("Sea View")

    def book(start=7, **faults):
        stay = NewBooking.model_validate(factories.stay_input(hotel, start=start, nights=2))
        return book_and_pay(shopper, stay, faults=faults)

    return book


def button(name, booking_id):
    return reverse(f"admin:bookings_hotelbooking_{name}", args=[booking_id])


def status_of(booking_id):
    return HotelBooking.objects.get(pk=booking_id).status


def test_cancel_at_the_supplier_from_the_bookings_page(desk, book, sandbox):
    booking = book()
    page = desk.get(reverse("admin:bookings_hotelbooking_change", args=[booking.id]))
    assert button("cancel", booking.id) in page.content.decode()
    assert 'data-panel="payments-and-refunds"' in page.content.decode()
    assert "succeeded" in page.content.decode()  # the stay was paid before it was booked
    response = desk.post(button("cancel", booking.id))
    assert status_of(booking.id) == "canceled"
    assert sandbox.find(str(booking.client_reference)).status == "canceled"
    assert f"Booking #{booking.id} is canceled." in messages_of(response)
    assert Event.objects.filter(kind="booking.canceled", subject_id=booking.id).exists()


def test_a_refusal_of_the_service_is_a_message(desk, book, sandbox, monkeypatch):
    booking = book(start=7)
    HotelBooking.objects.filter(pk=booking.id).update(start_date=timezone.now().date())
    response = desk.post(button("cancel", booking.id), follow=True)
    assert response.status_code == 200
    assert status_of(booking.id) == "confirmed"
    [message] = messages_of(response)
    assert "(stay_started)" in message


def test_asking_the_supplier_now_settles_a_pending_confirmation(desk, book, sandbox):
    booking = book(book_then_timeout=1)
    assert booking.status == "pending_confirmation"
    listing = desk.get(reverse("admin:bookings_hotelbooking_changelist")).content.decode()
    assert "waiting for the supplier" in listing.lower()
    response = desk.post(button("recheck", booking.id))
    assert status_of(booking.id) == "confirmed"
    assert f"Booking #{booking.id}: the supplier was asked; it is confirmed." in messages_of(
        response
    )


def test_asking_about_several_as_an_action(desk, book, sandbox):
    first = book(start=7, book_then_timeout=1)
    second = book(start=12, book_then_timeout=1)
    desk.post(
        reverse("admin:bookings_hotelbooking_changelist"),
        {"action": "recheck", "_selected_action": [first.id, second.id]},
    )
    assert {status_of(first.id), status_of(second.id)} == {"confirmed"}


def test_the_age_of_a_pending_booking_is_shown(desk, book, sandbox):
    booking = book(book_then_timeout=1)
    three_hours_ago = timezone.now() - timedelta(hours=3)
    HotelBooking.objects.filter(pk=booking.id).update(
        created_at=three_hours_ago, paid_at=three_hours_ago
    )
    listing = desk.get(reverse("admin:bookings_hotelbooking_changelist"), {"awaiting": "yes"})
    [row] = listing.context["cl"].result_list
    assert row.pk == booking.id
    assert "3\xa0hours" in listing.content.decode()


def test_a_booking_cannot_be_deleted_or_edited(desk, book):
    booking = book()
    url = reverse("admin:bookings_hotelbooking_delete", args=[booking.id])
    assert desk.get(url).status_code == 403
    assert desk.post(url, {"post": "yes"}).status_code == 403
    assert HotelBooking.objects.filter(pk=booking.id, status=BookingStatus.CONFIRMED).exists()


def test_hotels_are_made_and_edited_through_their_services(desk, monkeypatch):
    from apps.bookings.admin import HotelAdmin
    from apps.bookings.services import hotel_create

    made = []

    def spying(*, actor, data):
        made.append(data)
        return hotel_create(actor=actor, data=data)

    monkeypatch.setattr(HotelAdmin, "create_service", spying)
    desk.post(
        reverse("admin:bookings_hotel_add"),
        {
            "name": "Sea View",
            "city": "Lisbon",
            "supplier": "roomline",
            "supplier_hotel_id": "LIS-1",
        },
    )
    hotel = Hotel.objects.get()
    assert [type(data).__name__ for data in made] == ["NewHotel"]
    desk.post(
        reverse("admin:bookings_hotel_change", args=[hotel.pk]),
        {"name": "Sea View", "city": "Porto"},
    )
    assert Hotel.objects.get().city == "Porto"
    desk.post(reverse("admin:bookings_hotel_archive", args=[hotel.pk]))
    assert not Hotel.objects.get().is_active
    assert desk.get(reverse("admin:bookings_hotel_delete", args=[hotel.pk])).status_code == 403


def test_a_taken_supplier_id_is_a_form_error(desk, make_hotel):
    make_hotel(supplier_hotel_id="LIS-1")
    response = desk.post(
        reverse("admin:bookings_hotel_add"),
        {"name": "Twin", "city": "Lisbon", "supplier": "roomline", "supplier_hotel_id": "LIS-1"},
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["supplier_hotel_id"]
    assert Hotel.objects.count() == 1


def test_one_taken_meanwhile_is_the_services_error_as_a_message(desk, make_hotel, monkeypatch):
    from apps.bookings.admin import HotelForm

    monkeypatch.setattr(HotelForm, "_post_clean", lambda self: None)  # as if checked before
    make_hotel(supplier_hotel_id="LIS-1")
    response = desk.post(
        reverse("admin:bookings_hotel_add"),
        {"name": "Twin", "city": "Lisbon", "supplier": "roomline", "supplier_hotel_id": "LIS-1"},
        follow=True,
    )
    assert response.status_code == 200
    assert Hotel.objects.count() == 1
    assert any("(hotel_exists)" in message for message in messages_of(response))


def test_a_bad_supplier_id_is_a_form_error(desk):
    response = desk.post(
        reverse("admin:bookings_hotel_add"),
        {
            "name": "Twin",
            "city": "Lisbon",
            "supplier": "roomline",
            "supplier_hotel_id": "has spaces",
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["supplier_hotel_id"]
