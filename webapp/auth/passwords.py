"""Password policy: 12-128 characters, no composition rules, common ones refused."""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128

# The most common passwords at or above 12 characters, and local favourites.
COMMON = frozenset(
    {
        "123456789012", "1234567890123", "12345678901234", "123456123456", "qwertyuiopas",
        "qwerty123456", "password1234", "password12345", "passwordpassword", "111111111111",
        "000000000000", "123123123123", "abcdefghijkl", "abc123abc123", "iloveyou1234",
        "1q2w3e4r5t6y", "qazwsxedcrfv", "1qaz2wsx3edc", "woaini520520", "woaini1314520",
        "admin1234567", "administrator", "adminadminadmin", "gongan123456", "jingcha123456",
        "police123456", "duban1234567", "88888888888888", "666666666666", "147258369147",
    }
)


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_LENGTH} 个字符", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"密码不能超过 {MAX_LENGTH} 个字符", field="password")
    if password.lower() in COMMON or len(set(password)) <= 2:
        raise InvalidInput("这个密码太常见，请换一个", field="password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def dummy_hash() -> str:
    """A hash made like real ones (same method and cost), compared against when the account
    does not exist, so that the time taken does not tell which accounts exist."""
    return _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches; text that cannot be encoded (a lone surrogate) never does."""
    try:
        return check_password_hash(stored_hash, password)
    except UnicodeEncodeError:
        return False
