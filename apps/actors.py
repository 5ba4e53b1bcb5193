"""Who uses Agora. Every service names one of these actors (see servicelayer.actors)."""

from servicelayer.actors import SYSTEM, Access, Actor

ANYONE = Actor("anyone", Access.PUBLIC, "Anybody, signed in or not.")
SHOPPER = Actor("shopper", Access.AUTHENTICATED, "A signed-in customer of the shop.")
TRAVELLER = Actor("traveller", Access.AUTHENTICATED, "A signed-in customer of the travel desk.")
MERCHANT = Actor("merchant", Access.STAFF, "Staff who run the shop and the travel desk.")

__all__ = ["ANYONE", "MERCHANT", "SHOPPER", "SYSTEM", "TRAVELLER"]
