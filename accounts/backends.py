"""Password sign-in, which an install using single sign-on can switch off.

With VETTING_LOCAL_PASSWORDS=0 no password authenticates anyone, at any door: the sign-in page,
the admin's sign-in and the API token endpoint all authenticate through this backend. Django's
permission checks (the admin) still work, since they don't depend on how the user signed in.
"""

from django.contrib.auth.backends import ModelBackend

from .sso import local_passwords_enabled


class LocalPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not local_passwords_enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
