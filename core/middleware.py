import re

from django.core.exceptions import BadRequest

# PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters")
# and psycopg cannot encode a lone surrogate; either one reaching a query is a 500.
UNSTORABLE_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _keys_and_values(query_dict):
    for key, values in query_dict.lists():
        yield key
        yield from values


def _has_unstorable_text(texts) -> bool:
    return any(UNSTORABLE_TEXT.search(text) for text in texts if isinstance(text, str))


class RefuseUnstorableTextMiddleware:
    """Answer 400 Bad Request when the path, a query parameter, a form field or a cookie
    holds text the database cannot store (a NUL character).

    One check for every view: no form, filter or lookup ever sees such a value, so none
    can turn it into a database error, on PostgreSQL or SQLite alike. (The people import
    reads an uploaded file's content itself and refuses NUL there with a form error.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._refused(request):
            raise BadRequest("The request holds a NUL character, which cannot be stored.")
        return self.get_response(request)

    @staticmethod
    def _refused(request) -> bool:
        if _has_unstorable_text([request.path_info, *request.COOKIES.keys(), *request.COOKIES.values()]):
            return True
        if _has_unstorable_text(_keys_and_values(request.GET)):
            return True
        # Parses a POST body, as CsrfViewMiddleware would next; views get it from the cache.
        # (Django strips control characters from uploaded file names itself.)
        return request.method == "POST" and _has_unstorable_text(
            [*_keys_and_values(request.POST), *request.FILES.keys()]
        )
