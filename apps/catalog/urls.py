from django.urls import path

from apps.catalog import views

urlpatterns = [
    path("products/", views.ProductCollection.as_view(), name="product-list"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="product-detail"),
    path("products/<int:pk>/stock/", views.ProductStock.as_view(), name="product-stock"),
    path("products/<int:pk>/archive/", views.ProductArchive.as_view(), name="product-archive"),
    path("products/<int:pk>/restore/", views.ProductRestore.as_view(), name="product-restore"),
]
