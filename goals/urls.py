from django.urls import path

from goals import views

app_name = "goals"

# Under /programs/ (mentorship/urls.py), where they were before goals became an app: links in
# notifications already sent keep working.
urlpatterns = [
    path("enrollments/<int:pk>/goals/", views.goal_list, name="goal_list"),
    path("enrollments/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("enrollments/<int:pk>/goals/adopt/<int:template_pk>/", views.goal_adopt, name="goal_adopt"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/progress/", views.goal_progress, name="goal_progress"),
    path("goals/<int:pk>/milestones/", views.milestone_create, name="milestone_create"),
    path("goals/<int:pk>/milestones/<int:milestone_pk>/toggle/", views.milestone_toggle, name="milestone_toggle"),
    path("goals/<int:pk>/comments/", views.goal_comment_create, name="goal_comment_create"),
]
