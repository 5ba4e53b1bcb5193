"""Payments: the gateway protocol, the dummy gateway, payment records and refunds."""
