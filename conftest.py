"""Fixtures for the whole suite (tests/ and each plugin's own tests/)."""

import importlib
import pkgutil
import sys

import servicedesk_plugins

pytest_plugins = ["servicedesk.testing"]

# pytest imports plugins/<name>/__init__.py by its path, as "plugins.<name>".
# Those are the installed servicedesk_plugins.<name> modules: point the names
# at them, or each plugin's tables would be defined a second time.
sys.modules.setdefault("plugins", servicedesk_plugins)
for _found in pkgutil.iter_modules(servicedesk_plugins.__path__):
    sys.modules.setdefault(
        f"plugins.{_found.name}", importlib.import_module(f"servicedesk_plugins.{_found.name}")
    )
