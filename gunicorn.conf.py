"""gunicorn's settings for the app, read from the folder gunicorn starts in (production, the
benchmark, `make cluster`).

The request line (method, address, protocol) may be as long as gunicorn reads at most, 8,190
bytes, not its default 4,094: the site answers an address longer than it reads,
`MAX_ADDRESS_LENGTH` (8,000 characters), itself, with a 414 that says so
(`policytracker.core.client_faults`), where gunicorn would answer with a bare page of its own.
"""

limit_request_line = 8190
limit_request_field_size = 8190
