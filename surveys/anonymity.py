"""Anonymous surveys, anonymous by construction.

What is stored, and why nobody (HR on the pages, or someone reading the
database) can tie an answer to a person:

* An anonymous survey only ever opens program-wide rounds with at least
  ``PRIVACY_MIN_GROUP`` people invited (``rounds_allowed``): no pulse after one
  pairing's session, no exit survey of one pairing, no round of three people.
* The person's invitation records *that* they answered, nothing more.
* Their answers are first sealed (:class:`~surveys.models.SealedSurveyResponse`):
  encrypted with AES-GCM under a key derived from ``SECRET_KEY``, which is not in
  the database. Even the row that was written in the same transaction as the
  "answered" flag says nothing without the key.
* When a round's reporting group holds ``PRIVACY_MIN_GROUP`` sealed answers,
  they are released together: decrypted and written as ordinary
  :class:`~surveys.models.SurveyResponse` rows in random order, with random ids,
  linked to the survey, the round and the reporting group only (a role, when both
  roles of the round are large enough, else none), dated by the day of release.
  So every change of the results comes from at least that many people at once:
  comparing the results before and after one more answer shows nothing.
* Answers that arrive after the last batch and before the round closes stay
  sealed; the results say how many are held back.
* A respondent keeps a random key in their browser (only its SHA-256 is stored)
  to read their answers back, and to change them while they are still sealed.

Rotating ``SECRET_KEY``: list the old key in ``SECRET_KEY_FALLBACKS`` until the
answers sealed under it have been released or their rounds are over.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import secrets
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from people import privacy
from programs.models import Role
from surveys import tallies
from surveys.models import (
    EVENT_TRIGGERS,
    PAIRING_SCHEDULE_TRIGGERS,
    SealedSurveyResponse,
    Survey,
    SurveyAnswer,
    SurveyInstance,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)

PER_PAIRING_TRIGGERS = (*EVENT_TRIGGERS, *PAIRING_SCHEDULE_TRIGGERS)

ALREADY_RELEASED = (
    "Your answers have joined the results together with other people's, so they can no longer be changed: "
    "changing one answer now would single it out."
)


class SealBroken(Exception):
    """Sealed answers that no configured key opens (the secret key changed with no fallback)."""


# --- Which anonymous surveys and rounds are allowed -------------------------------------


def trigger_refusal(trigger: str) -> str:
    """Why an anonymous survey cannot use ``trigger`` ("" when it can)."""
    if trigger in PER_PAIRING_TRIGGERS:
        return (
            "An anonymous survey goes to the whole program at once. Sent per pairing or after each session, "
            "a round would ask two people, and their answers could be told apart. Choose a program-wide "
            "schedule, or make the survey attributed."
        )
    return ""


def audience_refusal(invited: int) -> str:
    """Why an anonymous round of ``invited`` people cannot open ("" when it can)."""
    minimum = privacy.min_group()
    if invited < minimum:
        return (
            f"Only {invited} {'person is' if invited == 1 else 'people are'} in this anonymous survey's audience; "
            f"it needs at least {minimum}, or answers could be told apart."
        )
    return ""


def reporting_group(*, instance: SurveyInstance, role: str) -> str:
    """The group an anonymous answer is counted in: its role, when the round asked at
    least the minimum of each role; otherwise "" (everyone together)."""
    counts = dict(
        SurveyInvitation.objects.filter(instance=instance).order_by().values_list("role").annotate(n=Count("pk"))
    )
    both = (Role.MENTOR, Role.MENTEE)
    if all(privacy.is_shown(counts.get(each, 0)) for each in both):
        return role
    return ""


# --- Sealing ----------------------------------------------------------------------------


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"surveys.anonymity.seal\x1f" + secret.encode()).digest()


def _keys() -> list[bytes]:
    return [_key(settings.SECRET_KEY), *(_key(old) for old in getattr(settings, "SECRET_KEY_FALLBACKS", []))]


def _context(survey_id: int, instance_id: int | None, group: str) -> bytes:
    # Binds a sealed row to its place: moved to another survey, round or group, it no longer opens.
    return f"{survey_id}\x1f{instance_id or ''}\x1f{group}".encode()


def seal(answers: dict, *, survey_id: int, instance_id: int | None, group: str) -> str:
    """Encrypt ``answers`` ({question id: value}) for storage."""
    nonce = secrets.token_bytes(12)
    plain = json.dumps({str(k): v for k, v in answers.items()}, sort_keys=True).encode()
    cipher = AESGCM(_keys()[0]).encrypt(nonce, plain, _context(survey_id, instance_id, group))
    return base64.b64encode(nonce + cipher).decode()


def unseal(token: str, *, survey_id: int, instance_id: int | None, group: str) -> dict[int, object]:
    raw = base64.b64decode(token)
    nonce, cipher = raw[:12], raw[12:]
    for key in _keys():
        try:
            plain = AESGCM(key).decrypt(nonce, cipher, _context(survey_id, instance_id, group))
        except InvalidTag:
            continue
        return {int(k): v for k, v in json.loads(plain).items()}
    raise SealBroken("No configured secret key opens these sealed answers.")


def _unseal_row(row: SealedSurveyResponse) -> dict[int, object]:
    return unseal(row.sealed, survey_id=row.survey_id, instance_id=row.instance_id, group=row.group)


# --- Answering --------------------------------------------------------------------------


def edit_key_hash(key: str) -> str:
    """What is stored of an anonymous respondent's key: its SHA-256 (the key is 32 random bytes)."""
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def sealed_of(*, invitation: SurveyInvitation, edit_key: str) -> SealedSurveyResponse | None:
    if not edit_key:
        return None
    return SealedSurveyResponse.objects.filter(
        survey_id=invitation.instance.survey_id, edit_key_hash=edit_key_hash(edit_key)
    ).first()


def released_of(*, invitation: SurveyInvitation, edit_key: str) -> SurveyResponse | None:
    if not edit_key:
        return None
    return SurveyResponse.objects.filter(
        survey_id=invitation.instance.survey_id, invitation__isnull=True, edit_key_hash=edit_key_hash(edit_key)
    ).first()


def answers_of(*, invitation: SurveyInvitation, edit_key: str) -> dict[int, object] | None:
    """The respondent's own answers ({question id: value}), found by their browser's key."""
    sealed = sealed_of(invitation=invitation, edit_key=edit_key)
    if sealed is not None:
        try:
            return _unseal_row(sealed)
        except SealBroken:
            return None
    released = released_of(invitation=invitation, edit_key=edit_key)
    if released is None:
        return None
    answers: dict[int, object] = {}
    for question_id, kind, number, choice, text in released.answers.values_list(
        "question_id", "question__kind", "number", "choice", "text"
    ):
        if kind in SurveyQuestion.NUMBER_KINDS:
            answers[question_id] = number
        elif kind == SurveyQuestion.Kind.MULTIPLE:
            answers.setdefault(question_id, []).append(choice)
        elif kind == SurveyQuestion.Kind.SINGLE:
            answers[question_id] = choice
        else:
            answers[question_id] = text
    return answers


def anonymous_submit(
    *, invitation: SurveyInvitation, instance: SurveyInstance, clean: dict, edit_key: str, now: datetime
) -> str:
    """Seal (or re-seal) an anonymous answer and release its group's batch when it is
    full. The caller holds the round's row lock. Returns the browser's key ("" when
    the existing key was used)."""
    survey = instance.survey
    if invitation.answered:
        sealed = sealed_of(invitation=invitation, edit_key=edit_key)
        if sealed is None:
            if released_of(invitation=invitation, edit_key=edit_key) is not None:
                raise ValidationError(ALREADY_RELEASED)
            raise ValidationError(
                "You have already answered this anonymous survey. Because your answers are not linked to you, "
                "they can only be changed from the browser you answered in."
            )
        sealed.sealed = seal(clean, survey_id=survey.pk, instance_id=instance.pk, group=sealed.group)
        sealed.save(update_fields=["sealed"])
        return ""
    if SurveyInvitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True) != 1:
        raise ValidationError("You have already answered this survey.")
    invitation.answered = True
    changes = tallies.Changes(survey)  # Only "answered": sealed answers are in no total until released.
    changes.add_round(instance.occurs_on, answered=1)
    changes.save()
    group = reporting_group(instance=instance, role=invitation.role)
    key = secrets.token_urlsafe(32)
    SealedSurveyResponse.objects.create(
        survey=survey,
        instance=instance,
        group=group,
        edit_key_hash=edit_key_hash(key),
        sealed=seal(clean, survey_id=survey.pk, instance_id=instance.pk, group=group),
    )
    release_if_ready(survey=survey, instance=instance, group=group, now=now)
    return key


def answer_rows(*, response: SurveyResponse, questions: list[SurveyQuestion], clean: dict) -> list[SurveyAnswer]:
    """The answer rows of one response (a multiple choice is one row per option)."""
    rows = []
    for question in questions:
        if question.pk not in clean:
            continue
        value = clean[question.pk]
        if question.kind in SurveyQuestion.NUMBER_KINDS:
            rows.append(SurveyAnswer(response=response, question=question, number=value))
        elif question.kind == SurveyQuestion.Kind.MULTIPLE:
            rows.extend(SurveyAnswer(response=response, question=question, choice=option) for option in value)
        elif question.kind == SurveyQuestion.Kind.SINGLE:
            rows.append(SurveyAnswer(response=response, question=question, choice=value))
        else:
            rows.append(SurveyAnswer(response=response, question=question, text=value))
    return rows


def release_if_ready(
    *, survey: Survey, instance: SurveyInstance | None, group: str, now: datetime | None = None
) -> int:
    """Release the group's sealed answers once there are at least the minimum of them;
    returns how many were released (0 or at least the minimum)."""
    sealed = list(SealedSurveyResponse.objects.filter(survey=survey, instance=instance, group=group))
    if not privacy.is_shown(len(sealed)):
        return 0
    questions = list(survey.questions.all())
    shuffle = random.SystemRandom().shuffle
    shuffle(sealed)
    today = timezone.localdate(now or timezone.now())
    responses, answers = [], []
    for row in sealed:
        response = SurveyResponse(
            survey=survey,
            instance=instance,
            role=group,
            edit_key_hash=row.edit_key_hash,
            submitted_on=today,
        )
        responses.append(response)
        answers.extend(answer_rows(response=response, questions=questions, clean=_unseal_row(row)))
    SurveyResponse.objects.bulk_create(responses)
    shuffle(answers)
    SurveyAnswer.objects.bulk_create(answers)
    SealedSurveyResponse.objects.filter(pk__in=[row.pk for row in sealed]).delete()
    # The batch joins the running totals (surveys.tallies) as it joins the results: all at once.
    occurs_on = instance.occurs_on if instance is not None else None
    changes = tallies.Changes(survey)
    changes.add_round(occurs_on, responses=len(responses))
    changes.add_answers(
        tallies.answer_rows_of(answers, occurs_on=occurs_on), multiple=tallies.multiple_choice(questions)
    )
    changes.save()
    return len(sealed)


def held_back(*, survey: Survey) -> int:
    """Anonymous answers still sealed (waiting for their batch, or left over at close)."""
    return SealedSurveyResponse.objects.filter(survey=survey).count()
