from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "parcours.catalogue"
    verbose_name = "Catalogue des organismes de formation"
