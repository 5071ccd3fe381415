from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    # --- HR admins
    path("", views.index, name="index"),
    path("programs/<slug:slug>/", views.program_matching, name="program"),
    path("programs/<slug:slug>/runs/new/", views.run_start, name="run_start"),
    path("programs/<slug:slug>/overrides/new/", views.override_create, name="override_create"),
    path("programs/<slug:slug>/participants/", views.participant_search, name="participant_search"),
    path("programs/<slug:slug>/pairings/", views.pairing_list, name="pairing_list"),
    path("overrides/<int:pk>/delete/", views.override_delete, name="override_delete"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/lock/", views.proposal_lock, name="proposal_lock"),
    path("proposals/<int:pk>/exclude/", views.proposal_exclude, name="proposal_exclude"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("pairings/<int:pk>/complete/", views.pairing_complete, name="pairing_complete"),
    # --- Participants
    path("my/", views.my_match, name="my_match"),
    path("my/pairings/<int:pk>/confirm/", views.pairing_confirm, name="pairing_confirm"),
    path("my/pairings/<int:pk>/decline/", views.pairing_decline, name="pairing_decline"),
    path("find/", views.find_mentor, name="find_mentor"),
    path("find/<int:enrollment_pk>/mentors/<int:mentor_pk>/", views.request_create, name="request_create"),
    path("find/requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
]
