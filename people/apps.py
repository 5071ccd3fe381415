from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Employee directory"

    def ready(self):
        from allauth.account.signals import password_reset
        from allauth.mfa.models import Authenticator
        from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete

        from people.adapters import address_confirm_after_password_reset
        from people.session_policy import (
            on_authenticator_changed,
            on_authenticator_deleted,
            on_signed_in,
        )

        password_reset.connect(address_confirm_after_password_reset, dispatch_uid="people-address-confirm-after-reset")
        user_logged_in.connect(on_signed_in, dispatch_uid="people-idle-clock-starts")
        # A second factor added, removed or reset ends the account's other sessions (people/session_policy.py).
        post_delete.connect(on_authenticator_deleted, sender=Authenticator, dispatch_uid="people-mfa-deleted-sessions")
        authenticator_added.connect(on_authenticator_changed, dispatch_uid="people-mfa-added-sessions")
        authenticator_removed.connect(on_authenticator_changed, dispatch_uid="people-mfa-removed-sessions")
        authenticator_reset.connect(on_authenticator_changed, dispatch_uid="people-mfa-reset-sessions")
