"""The password hasher, with its cost chosen for this product.

Argon2id with OWASP's recommended minimum (19 MiB of memory, 2 passes, 1 lane) instead of
Django's defaults (100 MiB, 2 passes, 8 lanes): a sign-in must stay well under a second on
a small server while 50 people sign in at once, and 100 MiB per concurrent hash would be
5 GB at that moment. The measured cost is in README.md (Production -> Sign-in cost).

The algorithm name stays ``argon2``: a hash made with other parameters is still verified,
and Django rehashes it with these on the next successful sign-in (``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
