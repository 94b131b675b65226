"""A short-lived cache of what anonymous visitors see on the busiest public pages.

The public search's answer changes when the index does (about a second after a change) and at
midnight; serving the same page for PUBLIC_CACHE_SECONDS (default 30 s) to every anonymous visitor
asking the same URL costs them at most that delay and spares the template rendering, which is most
of a search page's time (docs/performance.md). Signed-in people are never served from this cache.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control


def _key(prefix: str, request: HttpRequest) -> str:
    # The day is in the key: visibility changes at midnight (REG-6), whatever the TTL.
    raw = f"{request.get_full_path()}|{request.headers.get('HX-Request', '')}|{timezone.localdate()}"
    return f"{prefix}:{hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()}"


def anonymous_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PUBLIC_CACHE_SECONDS
        if not seconds or request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = _key("page", request)
        cached = cache.get(key)
        if cached is not None:
            response = HttpResponse(cached[0], content_type=cached[1], status=cached[2])
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                cache.set(key, (response.content, response["Content-Type"], response.status_code), seconds)
        patch_cache_control(response, public=True, max_age=seconds)
        return response

    return wrapper


def cached_payload(request: HttpRequest, compute: Callable[[], Any]) -> Any:
    """The API's payload for this URL and day, computed at most once per PUBLIC_CACHE_SECONDS.

    Used inside the handler, after authentication and the rate limit: every request still counts.
    """
    seconds = settings.PUBLIC_CACHE_SECONDS
    if not seconds:
        return compute()
    key = _key("api", request)
    payload = cache.get(key)
    if payload is None:
        payload = compute()
        cache.set(key, payload, seconds)
    return payload
