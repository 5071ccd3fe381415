"""Reads from the employee directory."""

from django.db.models import Q, QuerySet

from people.models import ImportJob, Person, User

DIRECTORY_STATUSES = [("active", "Current employees"), ("leavers", "Leavers"), ("all", "Everyone")]
# A management chain longer than this is bad data, not an org chart.
MAX_CHAIN = 50


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
