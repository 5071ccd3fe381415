"""Reads from the employee directory."""

from collections import Counter

from django.db.models import Q, QuerySet

from people.models import ImportJob, Person, SelfIdentification, User

DIRECTORY_STATUSES = [("active", "Current employees"), ("leavers", "Leavers"), ("all", "Everyone")]
# A management chain longer than this is bad data, not an org chart.
MAX_CHAIN = 50

OTHER_LABEL = "Other / not shown"
NOT_SHARED_LABEL = "Not shared"


def _dimension_label(name: str) -> str:
    label = str(SelfIdentification._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


# (field name, label) for every question of the self-identification form.
SELF_IDENTIFICATION_DIMENSIONS = [
    (name, _dimension_label(name))
    for name in ("gender", "age_band", "ethnicity", "disability", "lgbtq", "first_generation_professional")
]


def people_directory(*, query: str = "", department=None, location=None, status: str = "active") -> QuerySet[Person]:
    """The directory as HR browses it: every word of ``query`` must match a name or the email."""
    people = Person.objects.select_related("department", "location", "manager")
    if status == "active":
        people = people.filter(termination_date__isnull=True)
    elif status == "leavers":
        people = people.filter(termination_date__isnull=False)
    for word in query.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
    if department is not None:
        people = people.filter(department=department)
    if location is not None:
        people = people.filter(location=location)
    return people.order_by("last_name", "first_name", "pk")


def person_for_user(*, user: User) -> Person | None:
    """The signed-in person's own directory entry, if their account is linked to one."""
    return (
        Person.objects.select_related("department", "location", "manager")
        .prefetch_related("languages")
        .filter(user=user)
        .first()
    )


def person_management_chain(*, person: Person) -> list[Person]:
    """The person's manager, their manager, and so on to the top (cycle-safe)."""
    chain: list[Person] = []
    seen = {person.pk}
    manager_id = person.manager_id
    while manager_id and manager_id not in seen and len(chain) < MAX_CHAIN:
        manager = (
            Person.objects.only("pk", "first_name", "last_name", "title", "manager_id").filter(pk=manager_id).first()
        )
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.pk)
        manager_id = manager.manager_id
    return chain


def person_direct_reports(*, person: Person) -> QuerySet[Person]:
    return person.reports.select_related("department", "location").order_by("last_name", "first_name", "pk")


def import_jobs_recent(*, limit: int = 10) -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by").defer("content", "errors", "changes")[:limit]


def _suppress_small_groups(groups: list[tuple[str, int]], min_group: int) -> list[tuple[str, int]]:
    """Merge groups smaller than ``min_group`` into one "Other / not shown" row.

    If that merged row would itself be small, the next-smallest groups join it
    until it is not, so no small count can be worked out by subtraction; a
    merged row that stays small is left out altogether.
    """
    shown = sorted((group for group in groups if group[1] >= min_group), key=lambda group: (-group[1], group[0]))
    hidden = sum(count for _, count in groups if count < min_group)
    while 0 < hidden < min_group and shown:
        hidden += shown.pop()[1]
    if hidden >= min_group:
        shown.append((OTHER_LABEL, hidden))
    return shown


def self_identification_summary(*, people_queryset: QuerySet[Person], min_group: int = 5) -> dict[str, list]:
    """Counts per answer for each self-identification dimension, for HR dashboards.

    Returns ``{dimension: [(label, count), ...]}`` (dimensions as in
    ``SELF_IDENTIFICATION_DIMENSIONS``). Groups under ``min_group`` people are
    merged into "Other / not shown"; the last row of each dimension counts the
    people who shared nothing for it. Never exposes who answered what.
    Two queries, whatever the number of people.
    """
    min_group = max(int(min_group), 1)
    total = people_queryset.count()
    names = [name for name, _ in SELF_IDENTIFICATION_DIMENSIONS]
    records = list(
        SelfIdentification.objects.filter(person__in=people_queryset.order_by().values("pk")).values_list(*names)
    )
    summary: dict[str, list] = {}
    for index, name in enumerate(names):
        choices = dict(SelfIdentification._meta.get_field(name).choices or [])
        counts: Counter = Counter()
        spellings: dict[str, Counter] = {}
        for record in records:
            value = " ".join((record[index] or "").split())
            if not value:
                continue
            key = value.casefold()
            counts[key] += 1
            spellings.setdefault(key, Counter())[value] += 1
        groups = []
        for key, count in counts.items():
            if choices:
                # Choice fields store a code; show its label.
                original = spellings[key].most_common(1)[0][0]
                label = str(choices.get(original, original))
            else:
                # Free text: the most used spelling, ties broken alphabetically.
                label = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
            groups.append((label, count))
        shared = sum(counts.values())
        summary[name] = [*_suppress_small_groups(groups, min_group), (NOT_SHARED_LABEL, total - shared)]
    return summary
