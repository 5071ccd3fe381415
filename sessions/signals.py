"""What the sessions app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Each signal is sent once the transaction that made the change has committed (never for a
change that rolled back), with ``send_robust``: a receiver that fails is logged by Django
and never turns the request into an error. Arguments are ids only.
"""

from django.dispatch import Signal

#: A session was logged as held: a new one, or a planned one marked held.
#: ``sender`` is ``MentoringSession``; arguments ``session_id`` and ``pairing_id``.
session_held = Signal()
