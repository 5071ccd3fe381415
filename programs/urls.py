from django.urls import path

from programs.views import enrollment, participants, setup, training

app_name = "programs"

urlpatterns = [
    # --- Program setup (HR) and the owners' read-only view: programs/views/setup.py
    path("", setup.program_list, name="program_list"),
    path("new/", setup.program_create, name="program_create"),
    path("owned/", setup.owned_program_list, name="owned_program_list"),
    path("owned/<slug:slug>/", setup.owned_program_detail, name="owned_program_detail"),
    path("<slug:slug>/", setup.program_detail, name="program_detail"),
    path("<slug:slug>/edit/", setup.program_edit, name="program_edit"),
    path("<slug:slug>/status/", setup.program_status, name="program_status"),
    path("<slug:slug>/clone/", setup.program_clone, name="program_clone"),
    path("<slug:slug>/questions/", setup.program_question_list, name="program_question_list"),
    path("<slug:slug>/questions/new/", setup.program_question_create, name="program_question_create"),
    path("<slug:slug>/questions/<int:pk>/edit/", setup.program_question_edit, name="program_question_edit"),
    path("<slug:slug>/questions/<int:pk>/delete/", setup.program_question_delete, name="program_question_delete"),
    path("<slug:slug>/questions/<int:pk>/move/", setup.program_question_move, name="program_question_move"),
    path("<slug:slug>/training/", setup.training_module_list, name="training_module_list"),
    path("<slug:slug>/training/new/", setup.training_module_create, name="training_module_create"),
    path("<slug:slug>/training/completion/", setup.training_completion, name="training_completion"),
    path("<slug:slug>/training/<int:pk>/edit/", setup.training_module_edit, name="training_module_edit"),
    path("<slug:slug>/training/<int:pk>/delete/", setup.training_module_delete, name="training_module_delete"),
    path("<slug:slug>/training/<int:pk>/move/", setup.training_module_move, name="training_module_move"),
    path("<slug:slug>/goal-templates/", setup.goal_template_list, name="goal_template_list"),
    path("<slug:slug>/goal-templates/new/", setup.goal_template_create, name="goal_template_create"),
    path("<slug:slug>/goal-templates/<int:pk>/edit/", setup.goal_template_edit, name="goal_template_edit"),
    path("<slug:slug>/goal-templates/<int:pk>/delete/", setup.goal_template_delete, name="goal_template_delete"),
    path("<slug:slug>/goal-templates/<int:pk>/move/", setup.goal_template_move, name="goal_template_move"),
    # --- Enrollment, profiles (views/enrollment.py), training (views/training.py), participants (views/participants.py)
    path("join/<str:token>/", enrollment.enrollment_join, name="enrollment_join"),
    path("enrollments/<int:pk>/", enrollment.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/profile/", enrollment.enrollment_profile, name="enrollment_profile"),
    path("enrollments/<int:pk>/withdraw/", enrollment.enrollment_withdraw, name="enrollment_withdraw"),
    path("enrollments/<int:pk>/training/", training.enrollment_training, name="enrollment_training"),
    path(
        "enrollments/<int:pk>/training/<int:module_pk>/",
        training.enrollment_training_module,
        name="enrollment_training_module",
    ),
    path(
        "enrollments/<int:pk>/training/<int:module_pk>/complete/",
        training.enrollment_training_module_complete,
        name="enrollment_training_module_complete",
    ),
    path("<slug:slug>/participants/", participants.participant_list, name="participant_list"),
    path("<slug:slug>/participants/invite/", participants.participant_invite, name="participant_invite"),
    path("<slug:slug>/participants/decide/", participants.participant_decide, name="participant_decide"),
    path("<slug:slug>/participants/promote/", participants.participant_promote, name="participant_promote"),
    path("<slug:slug>/participants/<int:pk>/", participants.participant_detail, name="participant_detail"),
    path(
        "<slug:slug>/participants/<int:pk>/decide/",
        participants.participant_decide_one,
        name="participant_decide_one",
    ),
]
