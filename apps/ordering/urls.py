from django.urls import path

from apps.ordering import views

urlpatterns = [
    path("orders/", views.OrderCollection.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetail.as_view(), name="order-detail"),
    path(
        "orders/<int:pk>/quantity/",
        views.OrderChangeQuantity.as_view(),
        name="order-change-quantity",
    ),
    path("orders/<int:pk>/cancel/", views.OrderCancel.as_view(), name="order-cancel"),
    path("orders/<int:pk>/ship/", views.OrderShip.as_view(), name="order-ship"),
    path("orders/<int:pk>/deliver/", views.OrderDeliver.as_view(), name="order-deliver"),
]
