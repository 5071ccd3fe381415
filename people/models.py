"""The employee directory: accounts, people, departments, locations, languages, skills.

A ``Person`` is an employee as the HR system knows them (imported from CSV);
a ``User`` is a sign-in account. They are linked by email when the person
first signs in, so HR can import the whole company before anyone has an account.
"""

import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, is_hr_admin=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A sign-in account. People sign in with their work email; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)
    is_hr_admin = models.BooleanField(
        "HR admin",
        default=False,
        help_text="HR admins configure programs, import people, run matching and see every program.",
    )

    # Part of the session hash: a new value ends every other session of this account
    # (people/session_policy.py: after a second factor is removed or reset). Empty keeps
    # Django's own hash, so sessions from before this field existed stay valid.
    session_token = models.CharField(max_length=32, blank=True, default="", editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def __str__(self):
        return self.get_full_name() or self.email

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password (a changed password ends the other sessions),
        # plus the session token (a removed second factor ends them too).
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, self.password + self.session_token, secret=secret, algorithm="sha256").hexdigest()


class Department(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Skill(models.Model):
    name = models.CharField(max_length=120, unique=True)
    category = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self):
        return self.name


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin).") from None


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(termination_date__isnull=True)


class Person(models.Model):
    """An employee in the directory."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    languages = models.ManyToManyField(Language, blank=True, related_name="speakers")
    seniority = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    hire_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    promotion_date = models.DateField(null=True, blank=True)
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class SelfIdentification(models.Model):
    """Diversity information a person chooses to share about themselves.

    Sensitive: never shown to mentors, mentees or program owners; HR admins see
    it only as aggregates over groups of five or more people. Blank means
    "not shared".
    """

    GENDER_CHOICES = [
        ("woman", "Woman"),
        ("man", "Man"),
        ("non_binary", "Non-binary"),
        ("self_described", "Self-described"),
        ("prefer_not", "Prefer not to say"),
    ]
    AGE_BAND_CHOICES = [
        ("under_25", "Under 25"),
        ("25_34", "25-34"),
        ("35_44", "35-44"),
        ("45_54", "45-54"),
        ("55_plus", "55 and over"),
        ("prefer_not", "Prefer not to say"),
    ]
    YES_NO_CHOICES = [("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say")]

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="self_identification")
    gender = models.CharField(max_length=20, choices=GENDER_CHOICES, blank=True)
    age_band = models.CharField(max_length=20, choices=AGE_BAND_CHOICES, blank=True)
    ethnicity = models.CharField(
        max_length=80, blank=True, help_text="In your own words, as you would like to be counted."
    )
    disability = models.CharField("Disability", max_length=20, choices=YES_NO_CHOICES, blank=True)
    lgbtq = models.CharField("LGBTQ+", max_length=20, choices=YES_NO_CHOICES, blank=True)
    first_generation_professional = models.CharField(
        "First in family in a professional career", max_length=20, choices=YES_NO_CHOICES, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Self-identification of person #{self.person_id}"


class ImportJob(models.Model):
    """One upload of an HR-system export: its preview, its run and its result.

    The uploaded text is kept only until the import has run (or is discarded),
    so the database does not become a second copy of the HR system's export.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting to be checked"
        CHECKING = "checking", "Checking the file"
        INVALID = "invalid", "Has errors"
        READY = "ready", "Ready to import"
        QUEUED = "queued", "Queued"
        VALIDATING = "validating", "Checking rows"
        WRITING = "writing", "Saving to the directory"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    #: The preview: the upload is checked in the background, nothing is written.
    PREVIEW_STATUSES = (Status.UPLOADED, Status.CHECKING)
    #: The import itself, once HR has committed a ready preview.
    RUN_STATUSES = (Status.QUEUED, Status.VALIDATING, Status.WRITING)
    RUNNING_STATUSES = PREVIEW_STATUSES + RUN_STATUSES

    file_name = models.CharField(max_length=255, blank=True)
    content = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    planned_created = models.PositiveIntegerField(default=0)
    planned_updated = models.PositiveIntegerField(default=0)
    planned_unchanged = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[[line, message], ...]")
    changes = models.JSONField(default=list, blank=True, help_text="The first changes, for the preview.")
    ignored_columns = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="people_import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import #{self.pk} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in self.RUNNING_STATUSES

    @property
    def is_previewing(self):
        return self.status in self.PREVIEW_STATUSES


class DisclosureRelease(models.Model):
    """The last released figures of one population (see ``people.privacy``, rule 4).

    ``fingerprints`` are keyed hashes of each person's record at release time:
    they tell how many people changed since, never what anyone answered.
    ``checked_state`` is a keyed hash of the data the records were read from when they
    were last compared with the fingerprints, and ``checked_pending`` what that
    comparison found (some change not released yet): while the data is the same, a
    view needs neither the records nor the fingerprints.
    """

    key = models.CharField(max_length=120, unique=True)
    released_at = models.DateTimeField()
    population = models.PositiveIntegerField(default=0)
    fingerprints = models.JSONField(default=list)
    figures = models.JSONField(default=dict)
    checked_state = models.CharField(max_length=64, blank=True)
    checked_pending = models.BooleanField(default=False)

    def __str__(self):
        return f"Release of {self.key} ({self.released_at:%Y-%m-%d})"
