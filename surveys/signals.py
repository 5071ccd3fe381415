"""What the surveys app tells the apps above it, which it never imports (the model is
pretix's ``pretix/base/signals.py``).

Each signal is sent once the transaction that made the change has committed (never for a
change that rolled back), with ``send_robust``: a receiver that fails is logged by Django
and never turns the request into an error. Arguments are ids only.
"""

from django.dispatch import Signal

#: An attributed response was saved (a first answer or a changed one). Anonymous answers
#: send nothing: they must never be traced to a person, not even by their timing.
#: ``sender`` is ``SurveyResponse``; arguments ``response_id``, ``survey_id`` and
#: ``enrollment_id`` (the respondent's).
survey_answered = Signal()
