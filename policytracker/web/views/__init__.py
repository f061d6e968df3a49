"""The pages of the site, one module per page; what the list pages share is in `base`."""
