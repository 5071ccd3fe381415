from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    # Participants: their own invitations only.
    path("", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/", views.invitation_answer, name="invitation_answer"),
    # HR admins (builder) and program owners (results).
    path("programs/", views.program_list, name="program_list"),
    path("programs/<slug:slug>/", views.survey_list, name="survey_list"),
    path("programs/<slug:slug>/new/", views.survey_create, name="survey_create"),
    path(
        "programs/<slug:slug>/use-template/<int:template_pk>/",
        views.survey_use_template,
        name="survey_use_template",
    ),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/copy/", views.survey_copy, name="survey_copy"),
    path("<int:pk>/status/", views.survey_status, name="survey_status"),
    path("<int:pk>/send-now/", views.survey_send_now, name="survey_send_now"),
    path("<int:pk>/delete/", views.survey_delete, name="survey_delete"),
    path("<int:pk>/preview/", views.survey_preview, name="survey_preview"),
    path("<int:pk>/questions/new/", views.question_create, name="question_create"),
    path("<int:pk>/questions/<int:question_pk>/edit/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question_move"),
    path("<int:pk>/results/", views.survey_results, name="survey_results"),
    path("<int:pk>/results.csv", views.survey_results_csv, name="survey_results_csv"),
]
