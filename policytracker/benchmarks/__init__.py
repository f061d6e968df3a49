"""The benchmark of the site as it is served (`manage.py benchmark`, `make bench`): every kind
of request timed against its floor and against Datasette serving the same instruments."""
