"""Matching pages, one module per subject (their URLs in ``matching/urls.py``).

HR admins (everyone else gets 403 there):

``programs``   the matching overview, a program's criteria and weights, its overrides (locks,
               exclusions) and the participant picker
``runs``       starting a run, a run with its proposals and the comparison with the previous
               run, a proposal's explanation, the progress bar, publishing
``pairings``   the program's pairings (end, complete), and each participant's own matches
               (confirm or decline)
``requests``   self-select: a mentee's suggestions and requests, a mentor's incoming requests

Participants' objects are loaded through querysets scoped to the signed-in person, so
someone else's is a 404. ``base`` holds what the modules share.
"""
