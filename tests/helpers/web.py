"""Requesting the site's pages in tests."""

from django.urls import reverse


def get(client, name, *args, query=""):
    return client.get(reverse(f"web:{name}", args=args) + (f"?{query}" if query else ""))
