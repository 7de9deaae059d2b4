"""The PostgreSQL store's errors: one line each, saying what is wrong and what to do."""

from __future__ import annotations

import re

from qa.errors import QAError


def redacted(url: str) -> str:
    """`url` without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class DatabaseUnavailable(QAError):
    def __init__(self, url: str, reason: str):
        super().__init__(f"cannot connect to the index database {redacted(url)}: {reason}. "
                         "Check that the server runs and the URL, user and password are right")


class ExtensionMissing(QAError):
    def __init__(self, url: str):
        super().__init__(f"the database {redacted(url)} has no pgvector extension and this user may "
                         "not create it: install pgvector on the server and run "
                         "`CREATE EXTENSION vector;` in the database as its owner")


class SchemaTooNew(QAError):
    def __init__(self, found: int, known: int):
        super().__init__(f"the index database has schema version {found}, made by a newer version of "
                         f"this program (this one knows up to {known}): upgrade this program")


class DatabaseLost(QAError):
    def __init__(self, url: str, reason: str):
        super().__init__(f"the connection to the index database {redacted(url)} was lost ({reason}); "
                         "nothing was changed by the interrupted request: try again")
