"""Test helpers for one-time submission tokens (core/submissions.py)."""

import re

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def form_token(client, url: str, testid: str = "") -> str:
    """The token of the form on the page at ``url`` (the one with ``data-testid``, if given)."""
    html = client.get(url).content.decode()
    if testid:
        html = html[html.index(f'data-testid="{testid}"') :]
    match = TOKEN.search(html)
    assert match, f"no submission token in the form at {url}"
    return match.group(1)


def post_twice(client, url: str, data: dict, token: str):
    """A double click: the same form, with the same token, sent twice."""
    data = {**data, "submission_token": token}
    return client.post(url, data), client.post(url, data)
