from django.urls import path

from programs.views import enrollment, setup

app_name = "programs"

urlpatterns = [
    # --- Program setup (HR) and the owners' read-only view: programs/views/setup.py
    # --- Enrollment, profiles, training, participant pages: programs/views/enrollment.py
]
