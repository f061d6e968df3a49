"""Browsing pages. They read both apps, so they live here (jurisdictions never imports
instruments): one module per page, shared list machinery in `base`."""
