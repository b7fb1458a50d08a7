"""Every exception the server raises from one module and catches in another, in one place
(as starlette and RQ keep theirs): a reader finds what can go wrong, and whose it is,
without opening eleven files. An exception private to its module stays there, named
with a leading underscore.

This module imports nothing of the server: every layer may raise these.
"""

from __future__ import annotations

# Verification.


class AnswerNotReadable(ValueError):
    """The answer uses notation that cannot be parsed faithfully; it scores as wrong."""


class GroundTruthError(ValueError):
    """The reference answer itself cannot be read; the item gets an `error` result."""


class BudgetExceeded(BaseException):
    """Raised inside a verifier's budgeted block. A BaseException, so that the broad
    ``except Exception`` clauses in math-verify and SymPy cannot swallow it."""


class Unsupported(Exception):
    """This kind of test cannot run in this language (the item gets `sandbox_error`)."""


# Stored problems.


class ProblemRefused(ValueError):
    """The problem cannot be stored; `status` is the HTTP status that says why (413, 422)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ProblemFetchError(Exception):
    """The problem a queued item names is gone, or was stored anew since the item was planned."""


# Sessions (POST /sessions): each maps to one HTTP status in reward_service/api/sessions.py.


class SessionNotFound(LookupError):
    """No such session for this caller: never opened, ended, reaped, or another token's (404)."""


class SessionBusy(RuntimeError):
    """A cell is running in this session already; cells run one after another (409)."""


class SessionsFull(RuntimeError):
    """The server's or the caller's session cap is reached (429, with Retry-After)."""


class SessionGone(LookupError):
    """The session worker that held this session stopped: its state is lost (410)."""


class SessionsUnavailable(RuntimeError):
    """This server cannot run sessions (no sandbox, or turned off); the message says why (503)."""


# Start-up.


class TokenConfigError(ValueError):
    """Auth was asked for but no usable token was found: refuse to start rather than run open."""


# `reward-service score` and `reward-service problems import`.


class ClientNotInstalled(RuntimeError):
    """`--url` talks to a running service through reward-client, an extra the server runs without."""

    def __init__(self) -> None:
        super().__init__(
            "--url talks to a running service through the reward-client package, which is not installed: "
            "pip install ./client (this repository's client/), or drop --url to score in this process"
        )


class ScoringUnavailable(RuntimeError):
    """The scorer itself failed (service unreachable, a 5xx): stop, so a rerun resumes from here."""


class MalformedLine(ValueError):
    """A bad input line under --strict."""


class RowError(ValueError):
    """The row cannot become a problem; the message says why (the row is skipped)."""


class UnreadableFile(ValueError):
    """The file cannot be read at all (missing, not JSONL or Parquet, no pyarrow for Parquet)."""
