"""A password change revokes the user's API tokens, whichever way the password was changed.

Django calls `password_changed(password, user)` on every entry of AUTH_PASSWORD_VALIDATORS after
it saves a new password: the password page, the admin's "change password" form, `manage.py
changepassword`, a reset. This hook is the one place all of those pass through, so it is where
the tokens issued under the old password die (ASVS 3.3.3). It checks nothing about the password
itself; its help text tells the user what a change does.
"""

from django.utils.translation import gettext as _

from accounts.services import api_tokens_revoke


class RevokeApiTokensOnChange:
    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            api_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return _("Changing your password revokes every API token you hold.")
