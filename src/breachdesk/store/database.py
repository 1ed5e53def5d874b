"""Opening the workspace store: connect, apply migrations, check the encryption key.

SQLite in the workspace by default, PostgreSQL when ``database_url`` says so. The store is
the only holder of the field cipher, so nothing reads personal data without the right key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from breachdesk.errors import ConfigError, SourceUnavailable, StoreError
from breachdesk.store.crypto import FieldCipher, load_key, write_key_file
from breachdesk.store.tables import Meta

_MIGRATIONS = Path(__file__).parent / "migrations"
_KEY_CHECK = "key_check"
_KEY_CHECK_PLAIN = "breachdesk key check v1"


@dataclass(frozen=True)
class Store:
    """An open workspace store: its engine, a session factory and the field cipher."""

    engine: Engine
    cipher: FieldCipher
    url_for_display: str
    _sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(database_url: str, key_path: Path, *, create_key: bool = False) -> Store:
    """Connect to ``database_url``, migrate it to the newest schema and check the key.

    A key is created at ``key_path`` only when ``create_key`` is set and the store holds no
    encrypted data yet, so a lost key is never silently replaced by a new one.
    """
    display = _display(database_url)
    engine = _engine(database_url, display)
    try:
        _migrate(engine, display)
        cipher = _cipher(engine, key_path, create_key=create_key)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, cipher, display, sessionmaker(engine, expire_on_commit=False))


def _display(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise ConfigError(f"database_url is not a database URL: {url[:80]!r}") from None


def _engine(url: str, display: str) -> Engine:
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise ConfigError(f"cannot use database {display}: {_first_line(exc)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name != "postgresql":
        engine.dispose()
        raise ConfigError(f"the workspace store needs SQLite or PostgreSQL, not {display}")
    return engine


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _migrate(engine: Engine, display: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise SourceUnavailable(f"cannot open database {display}: {_first_line(exc)}") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate database {display}: {_first_line(exc)}") from None
    except CommandError as exc:
        # Typically a store written by a newer Breachdesk: its revision is unknown here.
        raise StoreError(
            f"database {display} has a schema this Breachdesk does not know "
            f"({_first_line(exc)}); it was probably written by a newer version"
        ) from None


def _cipher(engine: Engine, key_path: Path, *, create_key: bool) -> FieldCipher:
    with Session(engine) as session, session.begin():
        check = session.scalar(select(Meta.value).where(Meta.key == _KEY_CHECK))
        if check is None and create_key and not key_path.exists():
            write_key_file(key_path)
        master, origin = load_key(key_path)
        cipher = FieldCipher.from_master(master, origin)
        if check is None:
            sealed = cipher.encrypt(_KEY_CHECK_PLAIN, "meta.key_check")
            session.add(Meta(key=_KEY_CHECK, value=sealed))
        else:
            cipher.decrypt(check, "meta.key_check")
    return cipher


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
