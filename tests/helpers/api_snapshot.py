"""What the API answers, whole: every list page by page, every record with its `ETag`, and the
change feed from its start with each cursor. Two databases that answer the same snapshot serve
the same data to every client. Run as `python -m tests.helpers.api_snapshot` (DATABASE_URL
names the database) to print it as JSON, or call `snapshot()` in a configured process."""

import hashlib
import json
import sys

LISTS = ("instruments", "jurisdictions", "events", "actors", "topics", "sources", "citations")


def snapshot(client=None):
    from django.test import Client

    client = client or Client()
    answers = {}

    def read(address, accept="application/json"):
        response = client.get(address, HTTP_ACCEPT=accept)
        assert response.status_code == 200, (address, response.status_code)
        return response

    for name in LISTS:
        address = f"/api/v1/{name}/?page_size=200"
        records = []
        while address:
            page = read(address).json()
            answers[address] = page
            records += [item["url"] for item in page["results"] if item.get("url")]
            address = page["next"]
        for url in records:
            path = url.split("testserver", 1)[-1]
            response = read(path)
            answers[path] = {
                "etag": response["ETag"],
                "body": hashlib.sha256(response.content).hexdigest(),
            }
    address = "/api/v1/changes/?page_size=200"
    while True:
        page = read(address).json()
        answers[address] = page
        if not page["has_more"]:
            break
        address = page["next"].split("testserver", 1)[-1]
    csv = read("/api/v1/instruments/?page_size=200", accept="text/csv")
    answers["instruments.csv"] = hashlib.sha256(csv.getvalue()).hexdigest()
    return answers


if __name__ == "__main__":
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    # Every request of the snapshot counts against no rate.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    json.dump(snapshot(), sys.stdout, sort_keys=True)
