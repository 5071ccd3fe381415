from django.urls import path

from core import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/failed-emails/", views.failed_email_list, name="failed_email_list"),
    path("notifications/failed-emails/retry/", views.failed_email_retry, name="failed_email_retry"),
    path("healthz", views.healthz, name="healthz"),
]
