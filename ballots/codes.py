"""The one-time ballot codes: their alphabet, how they are normalised, hashed and shown, and the messages a rater
sees when a code cannot vote. A code is stored only as its keyed hash."""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

from scoring.models import AssessmentYear

# No 0/O, 1/I/L: every character is unmistakable on paper and on a phone keyboard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: guessing one of a few hundred issued codes is hopeless.
MAX_CODES_PER_BATCH = 500
ABSTAIN = ""  # what a form sends for 弃权


class BallotRefused(Exception):
    """A code that cannot vote, with the message the rater sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


MSG_UNKNOWN = "测评码无效，请核对后重新输入（测评码由 8 位字母和数字组成，不含 0、O、1、I、L）。"
MSG_USED = "该测评码已经使用过，每个测评码只能投票一次。"
MSG_CLOSED = "本次民主测评已经截止，不能再投票。"
MSG_FROZEN = "该年度考核结果已审定，不能再投票。"


def msg_phase(year: AssessmentYear) -> str:
    """Why a code cannot vote while the year is not in 民主测评."""
    return f"当前考核阶段为「{year.get_phase_display()}」，网上测评仅在「民主测评」阶段开放，现在不能投票。"


def code_normalize(raw: str) -> str:
    """What the rater typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """HMAC-SHA256 keyed with SECRET_KEY: the database alone cannot be searched for a code."""
    return salted_hmac("kaohe.ballots.code", code_normalize(code), algorithm="sha256").hexdigest()


def code_display(code: str) -> str:
    code = code_normalize(code)
    return f"{code[:4]}-{code[4:]}"


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
