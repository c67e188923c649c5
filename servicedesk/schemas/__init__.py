"""Marshmallow schemas for forms; their rules come from the service layer."""
