def navigation(request):
    """Which section of the site a page belongs to (for `aria-current` in the header), and the
    search words to keep in the header's box on the search page."""
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""
    section = (url_name or "").split("-")[0]
    return {
        "nav_section": section,
        "header_query": request.GET.get("q", "") if url_name == "search" else "",
    }
