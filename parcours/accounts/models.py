"""People who use Parcours. Entities, roles and habilitations come with the accounts issue."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Logs in by e-mail address (ACC-5); `username` stays for Django's admin tooling."""

    email = models.EmailField("adresse électronique", unique=True)

    class Meta:
        verbose_name = "utilisateur"
