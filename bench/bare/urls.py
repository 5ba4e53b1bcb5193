"""The bare floor's routes: Agora's own paths, so that absolute URLs in bodies (a page's
`next`) come out the same."""

from django.urls import path

from bench.bare import views

urlpatterns = [
    path("api/products/", views.product_list),
    path("api/products/<int:product_id>/", views.product_get),
    path("api/orders/", views.order_place),
    path("api/basket/items/", views.basket_add),
    path("api/basket/confirm/", views.basket_confirm),
    path("api/orders/<int:order_id>/payments/", views.order_pay),
]
