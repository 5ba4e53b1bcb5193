from django.urls import path

from apps.bookings import views

urlpatterns = [
    path("hotels/", views.HotelCollection.as_view(), name="hotel-list"),
    path("hotels/<int:pk>/", views.HotelDetail.as_view(), name="hotel-detail"),
    path("hotels/<int:pk>/archive/", views.HotelArchive.as_view(), name="hotel-archive"),
    path("hotels/<int:pk>/restore/", views.HotelRestore.as_view(), name="hotel-restore"),
    path("bookings/", views.BookingCollection.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", views.BookingDetail.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/cancel/", views.BookingCancel.as_view(), name="booking-cancel"),
]
