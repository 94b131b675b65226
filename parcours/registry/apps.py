from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "parcours.registry"
    verbose_name = "Répertoire des certifications"
