from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from mentorship import views

# The admin signs in through allauth, so it shares its rate limits and verification.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentoring platform administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/failed-emails/", views.failed_email_list, name="failed_email_list"),
    path("notifications/failed-emails/retry/", views.failed_email_retry, name="failed_email_retry"),
    path("healthz", views.healthz, name="healthz"),
    path("programs/", include("programs.urls")),
    path("people/", include("people.urls")),
    path("matching/", include("matching.urls")),
    path("mentoring/", include("sessions.urls")),
    path("surveys/", include("surveys.urls")),
    path("dashboards/", include("evaluation.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
