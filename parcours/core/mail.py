"""Notifications by e-mail, sent by the task worker once the transaction commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_notification(recipients: list[str], subject: str, body: str) -> None:
    send_mail(f"[Parcours] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)


def notify(recipients: list[str], subject: str, body: str) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        transaction.on_commit(lambda: send_notification.enqueue(recipients, subject, body))
