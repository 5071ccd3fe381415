"""The demo company: a believable employee directory, built deterministically.

Used by ``manage.py seed_demo``; running it again updates the same people
instead of adding more.
"""

import random
from datetime import date, timedelta
from urllib.parse import quote

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt, encrypt

from people.models import Department, Language, Location, Person, SelfIdentification, Skill, User

DEMO_PASSWORD = "demo-pass-123"
# HR admins must use a second factor (portal/mfa.py): the demo HR admin's authenticator
# app secret, public on purpose (README: Start it). Add it to any authenticator app, or run
# `python manage.py demo_mfa_code` for the current code. Demo data only.
DEMO_HR_EMAIL = "hr@demo.example"
DEMO_TOTP_SECRET = "DEMOHRDEMOHRDEMOHRDEMOHRDEMOHR22"
DEMO_ACCOUNTS = {
    "hr@demo.example": "HR admin",
    "owner@demo.example": "Program owner",
    "mentor@demo.example": "Mentor",
    "mentee@demo.example": "Mentee",
}

LOCATIONS = [
    ("Berlin", "Europe/Berlin", ["German", "English"]),
    ("London", "Europe/London", ["English"]),
    ("Paris", "Europe/Paris", ["French", "English"]),
    ("New York", "America/New_York", ["English", "Spanish"]),
    ("San Francisco", "America/Los_Angeles", ["English", "Spanish"]),
    ("Toronto", "America/Toronto", ["English", "French"]),
    ("São Paulo", "America/Sao_Paulo", ["Portuguese", "English"]),
    ("Bangalore", "Asia/Kolkata", ["English", "Hindi"]),
    ("Singapore", "Asia/Singapore", ["English", "Mandarin"]),
    ("Sydney", "Australia/Sydney", ["English"]),
    ("Remote (Lisbon)", "Europe/Lisbon", ["Portuguese", "English"]),
]

DEPARTMENTS = {
    "Engineering": ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager"],
    "Product": ["Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher"],
    "Data": ["Data Analyst", "Data Scientist", "Data Engineer", "Analytics Manager"],
    "Sales": ["Account Executive", "Sales Development Rep", "Sales Engineer", "Sales Manager"],
    "Marketing": ["Marketing Specialist", "Content Strategist", "Growth Marketer", "Brand Manager"],
    "Customer Success": ["Customer Success Manager", "Support Specialist", "Onboarding Lead"],
    "Finance": ["Financial Analyst", "Accountant", "Controller", "FP&A Manager"],
    "People": ["HR Business Partner", "Recruiter", "People Operations Specialist", "L&D Specialist"],
    "Operations": ["Operations Analyst", "Program Manager", "Procurement Specialist"],
    "Legal": ["Legal Counsel", "Paralegal", "Compliance Officer"],
}

SKILLS = {
    "Leadership": ["People management", "Giving feedback", "Delegation", "Coaching", "Strategic thinking"],
    "Communication": ["Public speaking", "Executive communication", "Negotiation", "Writing", "Stakeholder management"],
    "Engineering": ["Python", "System design", "Cloud infrastructure", "Security", "Testing", "Frontend development"],
    "Data": ["SQL", "Machine learning", "Data visualisation", "Statistics", "Experiment design"],
    "Product": ["Product discovery", "Roadmapping", "User research", "Prioritisation"],
    "Business": ["Financial modelling", "Sales strategy", "Customer success", "Budgeting", "Project management"],
    "Career": ["Career planning", "Networking", "Personal branding", "Work-life balance"],
}

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Carla",
    "Daniel",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Maya",
    "Nikolai",
    "Olivia",
    "Pedro",
    "Qiu",
    "Rosa",
    "Samir",
    "Tanya",
    "Umar",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bruno",
    "Chloe",
    "Dev",
    "Emma",
    "Felix",
    "Gita",
    "Hannah",
    "Ivan",
    "Julia",
    "Kenji",
    "Lena",
    "Marco",
    "Nadia",
    "Oscar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomás",
    "Uma",
    "Victor",
    "Wanjiru",
    "Yara",
    "Zane",
    "Anouk",
    "Chidi",
    "Freya",
    "Mateo",
    "Noor",
    "Sven",
    "Leila",
    "Arjun",
]
LAST_NAMES = [
    "Okafor",
    "Schmidt",
    "Rossi",
    "Nguyen",
    "García",
    "Müller",
    "Khan",
    "Tanaka",
    "Silva",
    "Johansson",
    "Patel",
    "Dubois",
    "Kowalski",
    "Chen",
    "Haddad",
    "O'Brien",
    "Novak",
    "Fernandes",
    "Mensah",
    "Larsen",
    "Ivanova",
    "Santos",
    "Kim",
    "Becker",
    "Moreau",
    "Iyer",
    "Ali",
    "Costa",
    "Weber",
    "Yamamoto",
    "Adeyemi",
    "Lindqvist",
    "Martins",
    "Hoffmann",
    "Reyes",
    "Das",
    "Fischer",
    "Park",
    "Ahmed",
    "Bianchi",
]

EMPLOYEE_COUNT = 320


def _person(email, first, last, title, department, location, zone, languages, seniority, hire_date, manager=None):
    person, _ = Person.objects.update_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "title": title,
            "department": department,
            "location": location,
            "time_zone": zone,
            "seniority": seniority,
            "hire_date": hire_date,
            "manager": manager,
        },
    )
    person.languages.set(languages)
    return person


def seed_directory(rng: random.Random) -> dict[str, Person]:
    """Build or refresh the demo company. Returns the demo people by account email."""
    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    languages = {}
    locations = {}
    for name, zone, langs in LOCATIONS:
        locations[name] = (Location.objects.get_or_create(name=name)[0], zone, langs)
        for lang in langs:
            languages[lang] = Language.objects.get_or_create(name=lang)[0]
    for category, names in SKILLS.items():
        for name in names:
            Skill.objects.update_or_create(name=name, defaults={"category": category})

    today = date(2026, 11, 1)

    def pick_location():
        name = rng.choices([loc[0] for loc in LOCATIONS], weights=[18, 14, 8, 14, 12, 6, 6, 10, 6, 4, 2])[0]
        return locations[name]

    def langs_for(loc_langs):
        chosen = {languages[lang] for lang in loc_langs}
        if rng.random() < 0.25:
            chosen.add(languages[rng.choice(sorted(languages))])
        return chosen

    used_names = set()

    def new_name():
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used_names:
                used_names.add((first, last))
                return first, last

    def email_for(first, last, index):
        slug = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        slug = slug.translate(str.maketrans("áéíóúãçüöäñ", "aeiouacuoan"))
        return f"{slug}.{index}@demo.example"

    loc, zone, loc_langs = locations["Berlin"]
    ceo = _person(
        "ceo@demo.example",
        "Helena",
        "Brandt",
        "Chief Executive Officer",
        departments["Operations"],
        loc,
        zone,
        langs_for(loc_langs),
        10,
        date(2014, 3, 1),
    )
    heads = {}
    count = 1
    for dept_name in DEPARTMENTS:
        first, last = new_name()
        loc, zone, loc_langs = pick_location()
        heads[dept_name] = _person(
            email_for(first, last, count),
            first,
            last,
            f"VP {dept_name}",
            departments[dept_name],
            loc,
            zone,
            langs_for(loc_langs),
            9,
            today - timedelta(days=rng.randint(1500, 3500)),
            ceo,
        )
        count += 1
    managers = {name: [] for name in DEPARTMENTS}
    dept_names = list(DEPARTMENTS)
    dept_weights = [30, 10, 9, 12, 8, 9, 6, 5, 6, 3]
    while count < EMPLOYEE_COUNT:
        dept_name = rng.choices(dept_names, weights=dept_weights)[0]
        is_manager = len(managers[dept_name]) < 2 + count // 60 and rng.random() < 0.3
        first, last = new_name()
        loc, zone, loc_langs = pick_location()
        titles = DEPARTMENTS[dept_name]
        if is_manager:
            title, seniority, boss = titles[-1], rng.randint(6, 8), heads[dept_name]
        else:
            title = rng.choice(titles[:-1])
            seniority = rng.randint(1, 6)
            boss = rng.choice(managers[dept_name]) if managers[dept_name] else heads[dept_name]
        person = _person(
            email_for(first, last, count),
            first,
            last,
            title,
            departments[dept_name],
            loc,
            zone,
            langs_for(loc_langs),
            seniority,
            today - timedelta(days=rng.randint(20, 3000)),
            boss,
        )
        if is_manager:
            managers[dept_name].append(person)
        if rng.random() < 0.55:
            SelfIdentification.objects.update_or_create(
                person=person,
                defaults={
                    "gender": rng.choices(["woman", "man", "non_binary", "prefer_not"], weights=[44, 46, 4, 6])[0],
                    "age_band": rng.choice(["under_25", "25_34", "35_44", "45_54", "55_plus"]),
                    "disability": rng.choices(["yes", "no", "prefer_not"], weights=[8, 85, 7])[0],
                    "lgbtq": rng.choices(["yes", "no", "prefer_not"], weights=[9, 82, 9])[0],
                },
            )
        count += 1

    demo_people = {}
    specs = {
        "hr@demo.example": ("Hanna", "Richter", "HR Business Partner", "People", "Berlin", 6, heads["People"]),
        "owner@demo.example": ("Omar", "Haddad", "L&D Program Lead", "People", "London", 7, heads["People"]),
        "mentor@demo.example": (
            "Marta",
            "Oliveira",
            "Staff Engineer",
            "Engineering",
            "Remote (Lisbon)",
            8,
            heads["Engineering"],
        ),
        "mentee@demo.example": ("Theo", "Lambert", "Software Engineer", "Engineering", "Paris", 2, None),
    }
    eng_manager = managers["Engineering"][0] if managers["Engineering"] else heads["Engineering"]
    for email, (first, last, title, dept_name, loc_name, seniority, boss) in specs.items():
        loc, zone, loc_langs = locations[loc_name]
        demo_people[email] = _person(
            email,
            first,
            last,
            title,
            departments[dept_name],
            loc,
            zone,
            {languages[lang] for lang in loc_langs} | {languages["English"]},
            seniority,
            date(2021, 5, 3),
            boss or eng_manager,
        )
    for email, person in demo_people.items():
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "is_hr_admin": email == "hr@demo.example",
                # HR works in the product; the Django admin is for IT (superusers).
                "is_staff": False,
                "is_active": True,
            },
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        if email == DEMO_HR_EMAIL:
            demo_totp_enrol(user)
    return demo_people


def demo_totp_enrol(user) -> None:
    """The demo HR admin has an authenticator app with DEMO_TOTP_SECRET (same row if run again)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        TOTP.activate(user, DEMO_TOTP_SECRET)
    elif decrypt(authenticator.data["secret"]) != DEMO_TOTP_SECRET:
        authenticator.data = {**authenticator.data, "secret": encrypt(DEMO_TOTP_SECRET)}
        authenticator.save(update_fields=["data"])


def demo_totp_uri() -> str:
    """The otpauth:// address an authenticator app reads (as a QR code or pasted)."""
    from django.conf import settings

    issuer = quote(settings.MFA_TOTP_ISSUER or "Mentoring")
    return f"otpauth://totp/{issuer}:{quote(DEMO_HR_EMAIL)}?secret={DEMO_TOTP_SECRET}&issuer={issuer}"
