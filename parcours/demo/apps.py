from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: on top of every other app, so that it may use them all."""

    name = "parcours.demo"
    verbose_name = "Données de démonstration"
