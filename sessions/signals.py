"""What the sessions app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Two kinds, both with ids only as arguments: most are sent once the transaction that made
the change has committed (never for a change that rolled back), with ``send_robust``: a
receiver that fails is logged by Django and never turns the request into an error. Those
the apps above must answer in the same transaction are sent inside it (below).
"""

from django.dispatch import Signal

#: A session was logged as held: a new one, or a planned one marked held.
#: ``sender`` is ``MentoringSession``; arguments ``session_id`` and ``pairing_id``.
session_held = Signal()

# --- Sent inside the transaction that made the change, with ``send``: what the receivers
# write commits or rolls back with it, and a receiver's error is the caller's error.

#: A session was logged as held, in the transaction of the log: the post-session pulse
#: survey opens with it (surveys). ``sender`` is ``MentoringSession``; arguments
#: ``session_id`` and ``pairing_id``.
session_logged = Signal()
