from django.urls import path

from people import role_views, views

app_name = "people"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("me/", views.my_profile, name="my_profile"),
    path("hr-admins/", role_views.hr_admin_list, name="hr_admin_list"),
    path("<int:pk>/hr-admin/grant/", role_views.hr_admin_grant, name="hr_admin_grant"),
    path("<int:pk>/hr-admin/revoke/", role_views.hr_admin_revoke, name="hr_admin_revoke"),
    path("me/self-identification/withdraw/", views.self_identification_withdraw, name="self_identification_withdraw"),
    path("self-identification/", views.self_identification_overview, name="self_identification_overview"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/run/", views.import_run, name="import_run"),
    path("import/<int:pk>/check/", views.import_check, name="import_check"),
    path("import/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("import/<int:pk>/progress.json", views.import_progress, name="import_progress"),
    path("import/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
]
