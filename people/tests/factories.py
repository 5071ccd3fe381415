import factory
from allauth.account.models import EmailAddress

from people.models import Department, Language, Location, Person, Skill, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Office {n}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("name",)

    name = "English"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    category = "General"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    title = "Engineer"
    department = factory.SubFactory(DepartmentFactory, name="Engineering")
    location = factory.SubFactory(LocationFactory, name="Berlin")
    time_zone = "Europe/Berlin"
    seniority = 3

    class Params:
        # With a sign-in account of the same email and names.
        with_account = factory.Trait(
            user=factory.SubFactory(
                UserFactory,
                email=factory.SelfAttribute("..email"),
                first_name=factory.SelfAttribute("..first_name"),
                last_name=factory.SelfAttribute("..last_name"),
            )
        )

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.languages.set(extracted if extracted is not None else [LanguageFactory()])


class MemberFactory(UserFactory):
    """A sign-in account with its directory person (same email and names); ``person__*``
    sets the person's fields, e.g. ``person__time_zone``."""

    @factory.post_generation
    def person(obj, create, extracted, **kwargs):
        if create:
            PersonFactory(email=obj.email, first_name=obj.first_name, last_name=obj.last_name, user=obj, **kwargs)


class SelfIdentificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.SelfIdentification"

    person = factory.SubFactory(PersonFactory)


IMPORT_HEADER = (
    "email,first_name,last_name,title,department,manager_email,location,time_zone,languages,seniority,hire_date"
)


def import_row(email, manager="", **overrides):
    """One line of an HR export (the standard columns), with sensible values."""
    values = {
        "email": email,
        "first_name": email.split("@")[0].split(".")[0].title(),
        "last_name": "Tester",
        "title": "Engineer",
        "department": "Engineering",
        "manager_email": manager,
        "location": "Berlin",
        "time_zone": "Europe/Berlin",
        "languages": "English;German",
        "seniority": "3",
        "hire_date": "2020-01-15",
    }
    values.update(overrides)
    return ",".join(str(values[name]) for name in IMPORT_HEADER.split(","))


def import_csv(*rows, header=IMPORT_HEADER, newline="\n"):
    """An HR export as text: the header, then the given lines."""
    return newline.join([header, *rows]) + newline
