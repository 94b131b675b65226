import pytest
from django.db import connection

TIMEOUT_MS = 15_000
# Debian's Chromium, headless, with nothing that reaches for the network (closed here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def terminate_stray_sessions(django_db_setup, django_db_blocker):
    """The live server answers requests in threads with their own PostgreSQL sessions; one may
    outlive the tests (browser keep-alive), and PostgreSQL then refuses to drop the test database.
    At the very end, before the database is dropped, end them."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
