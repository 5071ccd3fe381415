"""Writes to the employee directory: each person's self-identification. The HR import has
its own package, ``people.importing``."""

import logging

from people.models import Person, SelfIdentification

logger = logging.getLogger(__name__)

# --- Self-identification -------------------------------------------------------------------

SELF_IDENTIFICATION_FIELDS = (
    "gender",
    "age_band",
    "ethnicity",
    "disability",
    "lgbtq",
    "first_generation_professional",
)


def self_identification_update(*, person: Person, data: dict) -> SelfIdentification | None:
    """Save what a person chooses to share about themselves.

    Sharing nothing at all removes the record: a withdrawn answer leaves no trace.
    """
    values = {name: (data.get(name) or "").strip() for name in SELF_IDENTIFICATION_FIELDS}
    if not any(values.values()):
        self_identification_withdraw(person=person)
        return None
    record, _ = SelfIdentification.objects.update_or_create(person=person, defaults=values)
    return record


def self_identification_withdraw(*, person: Person) -> bool:
    """Delete everything a person shared. Returns True if there was something to delete."""
    deleted, _ = SelfIdentification.objects.filter(person=person).delete()
    return bool(deleted)
