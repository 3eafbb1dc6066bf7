"""Which language a user reads in: the one saved on the user when the installation still offers it
(settings.LANGUAGES), else a fallback (the request's), else the default."""

from django.conf import settings


def is_offered(language: str) -> bool:
    return any(code == language for code, _name in settings.LANGUAGES)


def language_of(user, fallback: str | None = None) -> str:
    for language in (getattr(user, "language", ""), fallback):
        if language and is_offered(language):
            return language
    return settings.LANGUAGE_CODE
