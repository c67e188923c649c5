"""Finding tickets by what they say: subject, messages and the customer behind them.

Every word of the query must occur somewhere in the ticket (subject, any
message, the contact's name or email, the company's name), as a substring, so
Chinese words of any length are found without a word splitter.

SQLite asks the FTS5 trigram index (``models/search.py``) for words of three
characters or more; the trigram tokenizer cannot match shorter strings, so
one- and two-character words are looked up with ``LIKE`` on the tables
themselves. PostgreSQL uses ``ILIKE``, which its trigram indexes serve.
User input never reaches the SQL text: it is bound, quoted as one FTS5 phrase
(no operators) and escaped for ``LIKE``.

How SQLite should use the index depends on how common the word is. A rare
one is best looked up ticket by ticket; a common one (打印机 is in every
twelfth ticket of a busy desk) is best kept as a set of matches while the
queue is read in its own order, which stops after a page instead of fetching
and sorting thousands of tickets. One cheap look at the index (counting at
most ``COMMON`` matches) decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union,
)

from servicedesk.extensions import db
from servicedesk.models import FTS_TABLE, Contact, Customer, Message, Ticket

QUERY_MAX = 100
TERMS_MAX = 6
# The trigram tokenizer matches nothing shorter.
FTS_MIN = 3
# From this many matches on, a word is "common" (see above).
COMMON = 100

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")
_fts = table(FTS_TABLE, column("rowid"))


def terms(query: object) -> list[str]:
    """The distinct words of ``query``: normalised, control characters dropped, capped."""
    if not isinstance(query, str):
        return []
    text = _UNPRINTABLE.sub(" ", unicodedata.normalize("NFC", query[: QUERY_MAX * 2]))
    words = text[:QUERY_MAX].split()
    return list(dict.fromkeys(words))[:TERMS_MAX]


@dataclass(frozen=True)
class Plan:
    """How to search for a query: the shape of its clauses, and the values they take.

    Queries of one shape share their clauses (``clauses``), so a caller may
    build its statement once per shape and bind ``values`` at execution.
    """

    # (SQLite, common FTS words, FTS phrases, for each LIKE word: has it letter case)
    shape: tuple[bool, bool, int, tuple[bool, ...]]
    values: dict[str, str] = field(default_factory=dict)


# The shape of a query without words: no clauses.
EMPTY: tuple[bool, bool, int, tuple[bool, ...]] = (True, False, 0, ())


def plan(query: object) -> Plan:
    """The plan for ``query``; an empty shape when it has no words."""
    words = terms(query)
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    long_words = [word for word in words if len(word) >= FTS_MIN] if sqlite else []
    like_words = [word for word in words if word not in long_words]
    values = {f"search_like_{i}": _pattern(word) for i, word in enumerate(like_words)}
    common = False
    if long_words:
        values["search_phrase"] = _phrase(long_words)
        common = _common(values["search_phrase"])
    cased = tuple(word.lower() != word.upper() for word in like_words)
    return Plan((sqlite, common, 1 if long_words else 0, cased), values)


def clauses(
    shape: tuple[bool, bool, int, tuple[bool, ...]], values: dict[str, str] | None = None
) -> list[ColumnElement[bool]]:
    """``WHERE`` clauses on ``Ticket`` for a plan's shape, with ``values`` or left to bind."""
    _sqlite, common, phrases, likes = shape

    def value(name: str) -> ColumnElement[str]:
        return bindparam(name, values[name]) if values is not None else bindparam(name)

    found = [
        Ticket.id.in_(_like_matches(value(f"search_like_{i}"), cased))
        for i, cased in enumerate(likes)
    ]
    if phrases:
        # ``id + 0`` hides the primary key from the planner: it then reads the
        # queue's index in order and keeps the ids found in the set of matches.
        ticket_id = Ticket.id + 0 if common else Ticket.id
        found.insert(0, ticket_id.in_(_fts_matches(value("search_phrase"))))
    return found


def conditions(query: object) -> list[ColumnElement[bool]]:
    """``WHERE`` clauses on ``Ticket`` that together keep the tickets matching ``query``.

    Empty when the query has no words (nothing to filter on).
    """
    chosen = plan(query)
    return clauses(chosen.shape, chosen.values)


def _phrase(words: list[str]) -> str:
    # Each word one quoted phrase: FTS5 operators (OR, NEAR, *, ^, -) in user
    # input are plain text; phrases side by side must all match.
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _pattern(word: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def _fts_matches(phrase: ColumnElement[str]) -> Select[tuple[int]]:
    return select(_fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(phrase))


def _common(phrase: str) -> bool:
    matches = _fts_matches(literal(phrase))
    counted = select(func.count()).select_from(matches.limit(COMMON).subquery())
    return db.session.scalar(counted) >= COMMON


def _like_matches(pattern: ColumnElement[str], cased: bool) -> Select[tuple[int]]:
    # ILIKE folds the case of every row it reads (PostgreSQL: four times the
    # work of LIKE on Chinese text); a word without letter case (打印机, 4711)
    # matches the same rows with LIKE, and the trigram indexes serve both.
    def like(text_column: ColumnElement[str]) -> ColumnElement[bool]:
        if cased:
            return text_column.ilike(pattern, escape="\\")
        return text_column.like(pattern, escape="\\")

    return union(
        select(Ticket.id).where(like(Ticket.subject)),
        select(Message.ticket_id).where(like(Message.body)),
        select(Ticket.id)
        .join(Contact, Contact.id == Ticket.contact_id)
        .where(or_(like(Contact.name), like(Contact.email))),
        select(Ticket.id)
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(like(Customer.name)),
    )
