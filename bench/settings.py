"""Production settings (DEBUG off, WhiteNoise's compressed manifest, Redis when REDIS_URL is set)
plus what only the benchmark needs: a bare baseline view to compare every page with, and no
per-address rate limits, since every client of the benchmark shares 127.0.0.1."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
RATE_LIMITS: dict = {}
