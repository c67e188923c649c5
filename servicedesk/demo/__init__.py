"""A demo centre: a fresh database full of realistic history (``servicedesk demo``)."""
