"""Demo data for a fresh machine (`make run`): two users and a small catalog.

It calls services by name through the registry, like any other delivery, so the demo is built
by the same rules as real data.
"""
