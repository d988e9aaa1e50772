"""Reads for the account pages and the API."""

from .models import ApiToken


def tokens_of(user):
    """The user's API tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
