"""Accounts' own rows: the link between a vetting user and an identity at the OpenID Provider."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExternalIdentity(models.Model):
    """A user known to the identity provider `issuer` by the subject `subject` (its `sub`).

    Single sign-on finds users by this pair only, never by username or e-mail, which an IdP may
    let its users choose or change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.URLField(_("identity provider"), max_length=500)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"
