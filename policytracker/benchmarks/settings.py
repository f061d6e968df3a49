"""The site's settings for a server the benchmark starts: the same in every respect but where
static files are collected (`BENCHMARK_STATIC_ROOT`, a folder of the benchmark's own), so that a
production-mode server (DEBUG off, hashed static files) runs without touching the project's
`staticfiles/`."""

import os
from pathlib import Path

from policytracker.settings import *  # noqa: F403

if os.environ.get("BENCHMARK_STATIC_ROOT", "").strip():
    STATIC_ROOT = Path(os.environ["BENCHMARK_STATIC_ROOT"])
