"""ServiceDesk's built-in department plugins (importable as ``servicedesk_plugins``)."""
