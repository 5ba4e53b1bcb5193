from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "apps.ordering"
    label = "ordering"
