from django.urls import path

from matching.views import pairings, programs, requests, runs

app_name = "matching"

urlpatterns = [
    # --- HR admins: programs (criteria, overrides), runs and proposals, pairings
    path("", programs.index, name="index"),
    path("programs/<slug:slug>/", programs.program_matching, name="program"),
    path("programs/<slug:slug>/runs/new/", runs.run_start, name="run_start"),
    path("programs/<slug:slug>/overrides/new/", programs.override_create, name="override_create"),
    path("programs/<slug:slug>/participants/", programs.participant_search, name="participant_search"),
    path("programs/<slug:slug>/pairings/", pairings.pairing_list, name="pairing_list"),
    path("overrides/<int:pk>/delete/", programs.override_delete, name="override_delete"),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:pk>/publish/", runs.run_publish, name="run_publish"),
    path("proposals/<int:pk>/", runs.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/lock/", runs.proposal_lock, name="proposal_lock"),
    path("proposals/<int:pk>/exclude/", runs.proposal_exclude, name="proposal_exclude"),
    path("pairings/<int:pk>/end/", pairings.pairing_end, name="pairing_end"),
    path("pairings/<int:pk>/complete/", pairings.pairing_complete, name="pairing_complete"),
    # --- Participants: their own pairings, self-select requests
    path("my/", pairings.my_match, name="my_match"),
    path("my/pairings/<int:pk>/confirm/", pairings.pairing_confirm, name="pairing_confirm"),
    path("my/pairings/<int:pk>/decline/", pairings.pairing_decline, name="pairing_decline"),
    path("find/", requests.find_mentor, name="find_mentor"),
    path("find/<int:enrollment_pk>/mentors/<int:mentor_pk>/", requests.request_create, name="request_create"),
    path("find/requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("requests/", requests.request_list, name="request_list"),
    path("requests/<int:pk>/accept/", requests.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", requests.request_decline, name="request_decline"),
]
