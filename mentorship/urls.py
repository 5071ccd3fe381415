from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth, so it shares its rate limits and verification.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentoring platform administration"

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("core.urls")),
    path("programs/", include("programs.urls")),
    path("programs/", include("goals.urls")),
    path("people/", include("people.urls")),
    path("audit/", include("audit.urls")),
    path("matching/", include("matching.urls")),
    path("mentoring/", include("sessions.urls")),
    path("surveys/", include("surveys.urls")),
    path("dashboards/", include("evaluation.urls")),
    path("my-data/", include("datarights.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
