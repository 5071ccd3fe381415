from django.urls import path

from sessions import views

app_name = "mentoring_sessions"

# Mounted at /mentoring/.
urlpatterns = [
    path("", views.pairing_list, name="pairing_list"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/schedule/", views.session_schedule, name="session_schedule"),
    path("pairings/<int:pk>/log/", views.session_log, name="session_log"),
    path("pairings/<int:pk>/resources/new/", views.resource_create, name="resource_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/held/", views.session_mark_held, name="session_mark_held"),
    path("sessions/<int:pk>/notes/", views.session_notes_edit, name="session_notes_edit"),
    path("sessions/<int:pk>/private-note/", views.session_private_note, name="session_private_note"),
    path("sessions/<int:pk>/action-items/", views.session_action_item_add, name="session_action_item_add"),
    path("sessions/<int:pk>/invite.ics", views.session_invitation, name="session_invitation"),
    path("action-items/<int:pk>/toggle/", views.action_item_toggle, name="action_item_toggle"),
    path("resources/<int:pk>/toggle/", views.resource_toggle, name="resource_toggle"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    # Public by its secret token (calendar apps can't sign in): login_not_required.
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("hr/", views.oversight, name="oversight"),
]
