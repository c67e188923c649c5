"""The centre's departments, the routes between them and the kinds of request."""
