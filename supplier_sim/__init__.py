"""Stand-ins for the third-party hotel suppliers (see docs/supplier-api.md).

`supplier_sim.core` is the supplier's behaviour (bookings in memory, idempotent by client
reference, faults on demand); `supplier_sim.server` serves it over real HTTP
(`python -m supplier_sim --port 8100`); Agora's sandbox gateway runs the same core in process.
`supplier_sim.stayhub` is a second supplier, StayHub, with its own wire format over the same
behaviour, served by the same process under /stayhub.
"""
