from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from . import signals  # noqa: F401
