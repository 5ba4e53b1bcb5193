"""Who uses Agora. Every service names one of these roles (see servicelayer.roles)."""

from servicelayer.roles import SYSTEM, Access, Role

ANYONE = Role("anyone", Access.PUBLIC, "Anybody, signed in or not.")
SHOPPER = Role("shopper", Access.AUTHENTICATED, "A signed-in customer of the shop.")
TRAVELLER = Role("traveller", Access.AUTHENTICATED, "A signed-in customer of the travel desk.")
MERCHANT = Role("merchant", Access.STAFF, "Staff who run the shop and the travel desk.")

__all__ = ["ANYONE", "MERCHANT", "SHOPPER", "SYSTEM", "TRAVELLER"]
