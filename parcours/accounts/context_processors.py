from .policies import role_of


def account(request):  # type: ignore[no-untyped-def]
    return {"role": role_of(getattr(request, "user", None))}
