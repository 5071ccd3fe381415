from django.urls import path

from evaluation import views

app_name = "evaluation"

# Mounted at /dashboards/.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("recompute/", views.recompute_all, name="recompute_all"),
    path("export/overview.csv", views.overview_export, name="overview_export"),
    path("programs/<slug:slug>/", views.program_dashboard, name="program"),
    path("programs/<slug:slug>/recompute/", views.program_recompute, name="program_recompute"),
    path("programs/<slug:slug>/health/", views.health_list, name="health"),
    path("programs/<slug:slug>/pairings/<int:pk>/nudge/", views.pairing_nudge, name="pairing_nudge"),
    path("programs/<slug:slug>/outcomes/", views.outcomes, name="outcomes"),
    path("programs/<slug:slug>/diversity/", views.diversity, name="diversity"),
    path("programs/<slug:slug>/export/<slug:table>.csv", views.program_export, name="program_export"),
]
