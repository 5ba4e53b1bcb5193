"""The travel desk: hotels, and hotel bookings made at a third-party supplier over HTTP."""
