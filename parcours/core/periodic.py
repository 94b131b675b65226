"""Periodic work: tasks enqueued at a fixed interval (deadline sweeps, search refresh).

django-tasks has no scheduler; `manage.py enqueue_periodic` enqueues every task listed in
settings.PERIODIC_TASKS (dotted paths). `make serve` runs it every PERIODIC_INTERVAL seconds beside
the worker; a production deployment runs it from cron or a systemd timer. Each task is idempotent,
so running it more often than needed is harmless.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def enqueue_periodic() -> list[str]:
    enqueued = []
    for path in settings.PERIODIC_TASKS:
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued
