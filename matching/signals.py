"""What the matching app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Each signal is sent once the transaction that made the change has committed (never for a
change that rolled back), with ``send_robust``: a receiver that fails is logged by Django
and never turns the request into an error. Arguments are ids only.
"""

from django.dispatch import Signal

#: A pairing became active. ``sender`` is ``Pairing``; arguments ``pairing_id`` and ``program_id``.
pairing_started = Signal()
#: A live pairing (proposed, accepted or active) was completed or ended early. Same arguments.
pairing_finished = Signal()
#: Many pairings of a program started or finished at once (the program started running, or
#: closed). ``sender`` is ``Program``; argument ``program_id``.
program_pairings_changed = Signal()
