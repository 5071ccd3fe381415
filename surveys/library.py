"""The ready-made survey templates HR copies into a program ("Use this template").

Templates are data: ``TEMPLATES`` below is installed (and kept up to date) as
``Survey`` rows without a program by a data migration and by
``services.survey_templates_install()``, which ``seed_demo`` runs too. A program
never uses a template directly: it gets an editable copy, so improving a
template here never changes a survey people have already answered.
"""

RATING = "rating"
NPS = "nps"
SINGLE = "single"
MULTIPLE = "multiple"
TEXT = "text"


def _q(kind, text, *, choices=(), required=True, help_text=""):
    return {"kind": kind, "text": text, "choices": list(choices), "required": required, "help_text": help_text}


RECOMMEND = _q(
    NPS,
    "How likely are you to recommend this program to a colleague?",
    help_text="0 = not at all likely, 10 = extremely likely.",
)

TEMPLATES = [
    {
        "template_key": "post-session-pulse",
        "title": "Post-session pulse",
        "description": "Three quick questions about the session you just held. The program team sees your answers "
        "with your name, so they can help if something isn't working; your mentoring partner never sees them.",
        "audience": "both",
        "anonymous": False,
        "trigger": "session_held",
        "days": None,
        "open_days": 7,
        "reminder_days": 2,
        "questions": [
            _q(RATING, "How valuable was this session?", help_text="1 = not valuable, 5 = very valuable."),
            _q(SINGLE, "Did you make progress on your goals?", choices=["Yes, a lot", "Some progress", "Not really"]),
            _q(TEXT, "Anything you would like to share about this session?", required=False),
        ],
    },
    {
        "template_key": "30-day-check-in",
        "title": "30-day check-in",
        "description": "A month in: how is your mentoring getting on? The program team reads your answers with your "
        "name so they can step in early if the match isn't working.",
        "audience": "both",
        "anonymous": False,
        "trigger": "pairing_day",
        "days": 30,
        "open_days": 10,
        "reminder_days": 3,
        "questions": [
            _q(RATING, "How well is your mentoring relationship going?", help_text="1 = poorly, 5 = very well."),
            _q(SINGLE, "How often have you met so far?", choices=["Not yet", "Once", "2-3 times", "Weekly or more"]),
            _q(SINGLE, "Is your match a good fit?", choices=["Yes", "Not sure yet", "No"]),
            _q(
                MULTIPLE,
                "Is anything getting in the way?",
                choices=["Finding time", "Unclear goals", "Personal fit", "Time zones or distance", "Nothing so far"],
            ),
            _q(TEXT, "What has been most helpful so far?", required=False),
        ],
    },
    {
        "template_key": "mid-program",
        "title": "Mid-program survey",
        "description": "Halfway through: tell us what works and what to change for the second half. "
        "This survey is anonymous.",
        "audience": "both",
        "anonymous": True,
        "trigger": "program_midpoint",
        "days": None,
        "open_days": 14,
        "reminder_days": 4,
        "questions": [
            _q(
                RATING, "Overall, how satisfied are you with the program so far?", help_text="1 = not at all, 5 = very."
            ),
            RECOMMEND,
            _q(
                MULTIPLE,
                "Which topics have you worked on?",
                choices=["Career planning", "Leadership skills", "Technical skills", "Networking", "Work-life balance"],
                required=False,
            ),
            _q(
                RATING,
                "How clear are the program's goals and expectations to you?",
                help_text="1 = unclear, 5 = very clear.",
            ),
            _q(TEXT, "What should we change for the second half?", required=False),
        ],
    },
    {
        "template_key": "end-of-program-mentees",
        "title": "End-of-program survey for mentees",
        "description": "The program is nearly over. Your feedback shapes the next one. This survey is anonymous.",
        "audience": "mentees",
        "anonymous": True,
        "trigger": "program_end",
        "days": 7,
        "open_days": 21,
        "reminder_days": 5,
        "questions": [
            RECOMMEND,
            _q(RATING, "How much did the program help you reach your goals?", help_text="1 = not at all, 5 = a lot."),
            _q(RATING, "How would you rate your mentor overall?", help_text="1 = poor, 5 = excellent."),
            _q(
                MULTIPLE,
                "What did you gain?",
                choices=[
                    "Clearer career direction",
                    "New skills",
                    "More confidence",
                    "A wider network",
                    "More visibility in the company",
                ],
                required=False,
            ),
            _q(
                SINGLE,
                "Would you take part again?",
                choices=["Yes, as a mentee", "Yes, as a mentor", "Not sure", "No"],
            ),
            _q(TEXT, "What was the most valuable part of the program?", required=False),
            _q(TEXT, "What would you improve?", required=False),
        ],
    },
    {
        "template_key": "end-of-program-mentors",
        "title": "End-of-program survey for mentors",
        "description": "Thank you for mentoring. Tell us how it went for you. This survey is anonymous.",
        "audience": "mentors",
        "anonymous": True,
        "trigger": "program_end",
        "days": 7,
        "open_days": 21,
        "reminder_days": 5,
        "questions": [
            RECOMMEND,
            _q(RATING, "How rewarding was mentoring for you?", help_text="1 = not at all, 5 = very rewarding."),
            _q(
                RATING,
                "How well did the program prepare and support you as a mentor?",
                help_text="1 = poorly, 5 = very well.",
            ),
            _q(
                SINGLE,
                "How much time did mentoring take compared with what you expected?",
                choices=["Less than expected", "About what I expected", "More than expected"],
            ),
            _q(SINGLE, "Would you mentor again?", choices=["Yes", "Maybe", "No"]),
            _q(TEXT, "What was the most valuable part of the program?", required=False),
            _q(TEXT, "What would you improve?", required=False),
        ],
    },
    {
        "template_key": "early-exit",
        "title": "Early-exit survey",
        "description": "Your mentoring ended earlier than planned. Help us understand why, and tell us if you would "
        "like a new match. Only the program team reads your answers; your former partner never sees them.",
        "audience": "both",
        "anonymous": False,
        "trigger": "pairing_ended",
        "days": None,
        "open_days": 14,
        "reminder_days": 4,
        "questions": [
            _q(
                SINGLE,
                "What is the main reason the mentoring ended?",
                choices=[
                    "We reached our goals early",
                    "Our schedules didn't work",
                    "The match wasn't a good fit",
                    "A change of role or team",
                    "Leaving the company",
                    "Another reason",
                ],
            ),
            _q(RATING, "How would you rate the time you had together?", help_text="1 = poor, 5 = excellent."),
            _q(SINGLE, "Would you like to be matched with someone else?", choices=["Yes", "Maybe later", "No"]),
            _q(TEXT, "Anything else we should know?", required=False),
        ],
    },
]

SURVEY_FIELDS = ("title", "description", "audience", "anonymous", "trigger", "days", "open_days", "reminder_days")
QUESTION_FIELDS = ("kind", "text", "help_text", "choices", "required")


def templates_install(*, survey_model, question_model) -> int:
    """Create or update the library templates; returns how many are installed.

    Takes the model classes so the data migration can pass its historical
    models. Templates never have answers (only program copies do), so their
    questions are simply rewritten when the definition changed.
    """
    for definition in TEMPLATES:
        values = {name: definition[name] for name in SURVEY_FIELDS}
        survey, _ = survey_model.objects.update_or_create(
            program=None, template_key=definition["template_key"], defaults=values
        )
        wanted = [{name: q[name] for name in QUESTION_FIELDS} for q in definition["questions"]]
        current = list(survey.questions.order_by("order", "pk").values(*QUESTION_FIELDS))
        if current != wanted:
            survey.questions.all().delete()
            question_model.objects.bulk_create(
                question_model(survey=survey, order=position, **fields) for position, fields in enumerate(wanted)
            )
    return len(TEMPLATES)
