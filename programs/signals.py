"""What the programs app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Sent inside the transaction that made the change, with ``send``: what the receivers write
commits or rolls back with it, and a receiver's error is the caller's error. Arguments are
ids only.
"""

from django.dispatch import Signal

#: A program moved from one status to another (``from_status``, ``to_status``), in the
#: transaction of the move: its pairings follow (matching). ``sender`` is ``Program``;
#: arguments ``program_id``, ``from_status``, ``to_status``.
program_status_changed = Signal()
#: A participant stopped taking part (withdrew, was declined, or went back to the waitlist),
#: in the transaction of the change: their live pairings end (matching). ``sender`` is
#: ``Enrollment``; arguments ``enrollment_id``, ``user_id`` (who made the change, or None)
#: and ``reason`` (shown to their partner).
enrollment_left = Signal()
