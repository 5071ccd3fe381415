from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Employee directory"

    def ready(self):
        from allauth.account.signals import password_reset

        from people.adapters import address_confirm_after_password_reset

        password_reset.connect(address_confirm_after_password_reset, dispatch_uid="people-address-confirm-after-reset")
