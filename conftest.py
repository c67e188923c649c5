pytest_plugins = ["servicedesk.testing"]
