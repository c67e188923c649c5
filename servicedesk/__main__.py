"""``python -m servicedesk``: the same as the ``servicedesk`` command."""

from servicedesk.cli import main

main()
