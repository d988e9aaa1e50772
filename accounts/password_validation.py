"""Password rules beyond Django's (settings.AUTH_PASSWORD_VALIDATORS lists them all).

Django's validators keep refusing short, common and all-digit passwords and ones too similar to
the user's details. These add two things they miss:

- `PersonalNameValidator`: no password containing the user's username, first or last name (or
  a part of one), in any case, reversed, or with digits or symbols around it: `HenryPark2026!`,
  `kraPyrneh`, `hr2-hr2-hr2-hr2` for the user `hr2`.
- `VarietyValidator`: no password with little variety: few different characters
  (`aaaabbbbcccc`), a short piece repeated (`hr2hr2hr2hr2`, `abcdefabcdef`) or a run of
  neighbouring characters (`abcdefghijkl`, `987654321098`).

Both run wherever Django validates a password: the password change page, the admin's password
forms, `manage.py changepassword` and `createsuperuser`.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Name parts shorter than this are too common inside ordinary words to refuse ("Li", "Yi").
MIN_NAME_PART = 3
# Reversed parts must be longer still: a reversed three-letter name is an ordinary word too
# often ("Lee" → "eel").
MIN_REVERSED_PART = 4
# Common look-alike substitutions, undone before comparing.
LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def name_parts(user) -> set[str]:
    """The username, first and last name, each whole and split at spaces, hyphens and dots."""
    parts = set()
    for attribute in ("username", "first_name", "last_name"):
        value = str(getattr(user, attribute, "") or "")
        if not value:
            continue
        parts.add(_letters_and_digits(value))
        parts |= {_letters_and_digits(piece) for piece in re.split(r"[\s\-_.@]+", value)}
    return {part for part in parts if len(part) >= MIN_NAME_PART}


def contains_name(password: str, user) -> bool:
    plain = _letters_and_digits(password)
    variants = {plain, plain.translate(LOOKALIKES)}
    for part in name_parts(user):
        for variant in variants:
            if part in variant:
                return True
            if len(part) >= MIN_REVERSED_PART and part[::-1] in variant:
                return True
    return False


class PersonalNameValidator:
    """Refuses passwords built from the user's username, first or last name."""

    def validate(self, password, user=None):
        if user is not None and contains_name(password, user):
            raise ValidationError(
                _(
                    "The password contains your username or your name (perhaps reversed or with "
                    "digits added). Choose one that has nothing to do with you."
                ),
                code="password_contains_name",
            )

    def get_help_text(self):
        return _("Your password can't contain your username, first name or last name.")


def _is_repeated_piece(text: str) -> bool:
    """`text` is a shorter piece written again and again (the last time perhaps cut short)."""
    for size in range(1, len(text) // 2 + 1):
        piece = text[:size]
        if (piece * (len(text) // size + 1))[: len(text)] == text:
            return True
    return False


def _longest_neighbour_run(text: str) -> int:
    """The longest run of characters that are equal or next to each other going up or down:
    `aaaa`, `abcd`, `4321`."""
    longest = run = 1
    step = None
    for previous, current in zip(text, text[1:], strict=False):
        difference = ord(current) - ord(previous)
        if difference in (-1, 0, 1) and (step is None or difference == step):
            run += 1
            step = difference
        else:
            run = 2 if difference in (-1, 0, 1) else 1
            step = difference if difference in (-1, 0, 1) else None
        longest = max(longest, run)
    return longest


class VarietyValidator:
    """Refuses passwords with too few different characters or a repeated pattern."""

    def __init__(self, min_unique=6):
        self.min_unique = min_unique

    def validate(self, password, user=None):
        text = password.casefold()
        if (
            len(set(text)) < self.min_unique
            or _is_repeated_piece(text)
            or _longest_neighbour_run(text) * 2 > len(text)
        ):
            raise ValidationError(
                _(
                    "The password has too little variety: it repeats a short pattern or runs "
                    "along neighbouring characters. Use at least %(count)d different "
                    "characters, for example a few unrelated words."
                ),
                code="password_too_simple",
                params={"count": self.min_unique},
            )

    def get_help_text(self):
        return _(
            "Your password must use at least %(count)d different characters and can't repeat "
            "a short pattern."
        ) % {"count": self.min_unique}
