"""What the goals app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Sent once the transaction that made the change has committed (never for a change that
rolled back), with ``send_robust``: a receiver that fails is logged by Django and never
turns the request into an error. Arguments are ids only.
"""

from django.dispatch import Signal

#: A mentee's goal was created or moved: its progress, status or milestones changed.
#: ``sender`` is ``Goal``; arguments ``goal_id`` and ``enrollment_id`` (the mentee's).
goal_changed = Signal()
