from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "apps.addresses"
    label = "addresses"
