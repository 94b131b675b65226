"""Test settings: fast hashing, in-memory mail, tasks run immediately."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env_str

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}
REGISTRY_IMPORT_BATCH = 7  # small batches so that tests cross batch boundaries
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]  # the rate-limit test turns them back on
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="parcours-test-private-"))
SEARCH_INDEX_DIR = Path(tempfile.mkdtemp(prefix="parcours-test-index-"))
PARCOURS_API_RATE_LIMIT = "0"  # the rate-limit test sets its own
PUBLIC_CACHE_SECONDS = 0  # tests check fresh answers; test_public_cache.py turns it on
