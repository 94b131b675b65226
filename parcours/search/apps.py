from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The public catalogue (Mon Compte Formation's side): what anyone may find and read."""

    name = "parcours.search"
    verbose_name = "Catalogue public"
