from django.urls import path

from apps.ordering import views

urlpatterns = [
    path("basket/", views.BasketView.as_view(), name="basket"),
    path("basket/items/", views.BasketItems.as_view(), name="basket-items"),
    path("basket/items/<int:product_id>/", views.BasketItem.as_view(), name="basket-item"),
    path("basket/confirm/", views.BasketConfirm.as_view(), name="basket-confirm"),
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
