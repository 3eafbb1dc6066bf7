from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.roles import Role


def stockpile(request):
    """The classification marking and the navigation for the signed-in user's roles."""
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        nav.append({"label": _("Home"), "url": reverse("home")})
        nav.append({"label": _("API"), "url": reverse("api-docs")})
        if user.has_role(Role.ADMIN):
            nav.append({"label": _("Administration"), "url": reverse("admin:index")})
    return {"classification_marking": settings.CLASSIFICATION_MARKING, "nav_items": nav}
