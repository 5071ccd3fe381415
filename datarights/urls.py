from django.urls import path

from datarights import views

app_name = "datarights"

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("exports/", views.export_request, name="export_request"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress.json", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("requests/", views.data_requests, name="data_requests"),
    path("erase/<int:pk>/", views.person_erase, name="person_erase"),
]
