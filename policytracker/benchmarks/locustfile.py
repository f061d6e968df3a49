"""The visitors of the load run (`manage.py loadtest`, `make loadtest`), for locust.

Each user asks for one request of the mix after another, with no pause: a user is one request in
flight, so the number of users is the concurrency. The mix is a JSON file the load run writes
from the database's own keys (`LOADTEST_MIX` names it): a list of requests, each with its group
(pages, API, search), its name in locust's figures, its weight and the paths it is asked at, one
picked at random each time. Any answer that is not 2xx or 3xx, after redirects are followed, and
any failed connection is a failure, with the path and the start of the body in its message.

Run on its own: `LOADTEST_MIX=mix.json locust -f policytracker/benchmarks/locustfile.py --host
URL`."""

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, task

MIX_VARIABLE = "LOADTEST_MIX"


def _read_mix() -> tuple[list[dict], list[float]]:
    path = os.environ.get(MIX_VARIABLE, "").strip()
    if not path:
        raise RuntimeError(f"{MIX_VARIABLE} must name the mix file (manage.py loadtest writes it)")
    requests = [request for request in json.loads(Path(path).read_text()) if request["paths"]]
    if not requests:
        raise RuntimeError(f"the mix in {path} has no request with a path")
    return requests, [request["weight"] for request in requests]


MIX, WEIGHTS = _read_mix()


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def visit(self) -> None:
        (request,) = random.choices(MIX, WEIGHTS)
        path = random.choice(request["paths"])
        with self.client.get(path, name=request["name"], catch_response=True) as response:
            status = response.status_code or 0
            if 200 <= status < 400:
                response.success()
            else:
                body = (response.text or "")[:200].replace("\n", " ")
                response.failure(f"{status} at {path}: {body or response.error}")
