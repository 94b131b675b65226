"""API authentication: an entity's token as `Authorization: Bearer …` (django-ninja)."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from .models import ApiToken
from .services import authenticate_token


class EntityToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate_token(token)


entity_token = EntityToken()
