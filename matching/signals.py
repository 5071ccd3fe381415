"""What the matching app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Two kinds, both with ids only as arguments: most are sent once the transaction that made
the change has committed (never for a change that rolled back), with ``send_robust``: a
receiver that fails is logged by Django and never turns the request into an error. Those
the apps above must answer in the same transaction are sent inside it (below).
"""

from django.dispatch import Signal

#: A pairing became active. ``sender`` is ``Pairing``; arguments ``pairing_id`` and ``program_id``.
pairing_started = Signal()
#: A live pairing (proposed, accepted or active) was completed or ended early. Same arguments.
pairing_finished = Signal()
#: Many pairings of a program started or finished at once (the program started running, or
#: closed). ``sender`` is ``Program``; argument ``program_id``.
program_pairings_changed = Signal()

# --- Sent inside the transaction that made the change, with ``send``: what the receivers
# write commits or rolls back with it, and a receiver's error is the caller's error.

#: A pairing that had started ended early (status "ended"), in the transaction of the end:
#: the exit survey opens with it (surveys). ``sender`` is ``Pairing``; argument ``pairing_id``.
pairing_ended = Signal()
