from django.urls import path

from apps.payments import views

urlpatterns = [
    path("orders/<int:pk>/payments/", views.OrderPayments.as_view(), name="order-payments"),
]
