"""Service levels: business-hours calendars, SLA policies and per-ticket clocks."""
