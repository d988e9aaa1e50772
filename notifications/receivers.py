"""Signal receivers of notifications."""

from django.conf import settings

from .models import NotificationSettings


def remember_language_at_sign_in(sender, request, user, **kwargs):
    """A user who signs in with the page in another language than the default (the language
    switch is on the sign-in page) gets their e-mails in it, until they choose otherwise on the
    settings page. Only when they have no settings yet: a choice they made is never overwritten."""
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if not language or language == settings.LANGUAGE_CODE:
        return
    if language not in {code for code, _name in settings.LANGUAGES}:
        return
    if not NotificationSettings.objects.filter(user=user).exists():
        row = NotificationSettings(user=user, language=language)
        row._history_user = user
        row._change_reason = "language of the sign-in page"
        row.save()
