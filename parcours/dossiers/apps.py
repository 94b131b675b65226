from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "parcours.dossiers"
    verbose_name = "Dossiers de formation"
