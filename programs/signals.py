"""What the programs app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Two kinds, both with ids only as arguments: most are sent once the transaction that made
the change has committed (never for a change that rolled back), with ``send_robust``: a
receiver that fails is logged by Django and never turns the request into an error. Those
the apps above must answer in the same transaction are sent inside it (below).
"""

from django.dispatch import Signal

#: A mentee's goal was created or moved: its progress, status or milestones changed.
#: ``sender`` is ``Goal``; arguments ``goal_id`` and ``enrollment_id`` (the mentee's).
goal_changed = Signal()

# --- Sent inside the transaction that made the change, with ``send``: what the receivers
# write commits or rolls back with it, and a receiver's error is the caller's error.

#: A program moved from one status to another (``from_status``, ``to_status``), in the
#: transaction of the move: its pairings follow (matching). ``sender`` is ``Program``;
#: arguments ``program_id``, ``from_status``, ``to_status``.
program_status_changed = Signal()
#: A participant stopped taking part (withdrew, was declined, or went back to the waitlist),
#: in the transaction of the change: their live pairings end (matching). ``sender`` is
#: ``Enrollment``; arguments ``enrollment_id``, ``user_id`` (who made the change, or None)
#: and ``reason`` (shown to their partner).
enrollment_left = Signal()
