from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from breachdesk.errors import SourceUnavailable
from breachdesk.inventory import open_source, scan_sources
from breachdesk.inventory.file_source import MAX_LINE
from breachdesk.inventory.sample import VALUE_CAP
from breachdesk.inventory.sql_source import SqlSource
from breachdesk.model.categories import Category as C


def fingerprint(path: Path) -> tuple[str, float, list[str]]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, path.stat().st_mtime, sorted(p.name for p in path.parent.iterdir())


def write_csv(path: Path, rows: int, *, header: str = "email,phone,card") -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        for i in range(rows):
            handle.write(f"user{i}@example.com,+33 1 23 45 67 {i % 100:02d},4111111111111111\n")
    return path


def categories(report_table: object) -> dict[str, set[C]]:
    from breachdesk.inventory.results import TableReport

    assert isinstance(report_table, TableReport)
    return {c.name: {m.category for m in c.categories} for c in report_table.columns}


# -- SQLite: read-only ------------------------------------------------------------------


def test_sqlite_scan_leaves_the_database_untouched(contract_db: Path) -> None:
    before = fingerprint(contract_db)
    report = scan_sources([f"sqlite:///{contract_db}"], sample=50)
    assert {t.table for t in report.tables} >= {"customers", "marketing_export_2019"}
    assert fingerprint(contract_db) == before


def test_sqlite_source_cannot_write_even_when_asked(contract_db: Path) -> None:
    source = SqlSource(str(contract_db.as_uri()).replace("file://", "sqlite:///"), 10)
    engine = source.engine()
    with pytest.raises(OperationalError, match=r"readonly|read-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM customers"))
    source.close()


@pytest.mark.parametrize("mode", ["rw", "rwc", "memory"])
def test_sqlite_url_asking_for_write_access_is_refused(contract_db: Path, mode: str) -> None:
    with pytest.raises(SourceUnavailable, match="read-only"):
        open_source(f"sqlite:///file:{contract_db}?mode={mode}&uri=true", sample=10)


def test_sqlite_in_memory_and_missing_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="database file"):
        open_source("sqlite://", sample=10)
    with pytest.raises(SourceUnavailable, match="no SQLite database"):
        open_source(f"sqlite:///{tmp_path / 'absent.db'}", sample=10)
    assert not (tmp_path / "absent.db").exists()


def test_sqlite_file_path_is_scanned_as_a_database(contract_db: Path) -> None:
    assert open_source(str(contract_db), sample=5).display == f"sqlite:///{contract_db}"


def test_unreachable_database_is_one_line_source_unavailable() -> None:
    with pytest.raises(SourceUnavailable) as caught:
        scan_sources(["postgresql://nobody@127.0.0.1:9/none"], sample=5)
    assert "\n" not in str(caught.value)
    assert "cannot open" in str(caught.value)


def test_postgres_url_turning_read_only_off_is_refused() -> None:
    url = "postgresql://u@127.0.0.1/db?options=-c%20default_transaction_read_only%3Doff"
    with pytest.raises(SourceUnavailable, match="read-only"):
        open_source(url, sample=5)


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(SourceUnavailable, match="only SQLite and PostgreSQL"):
        open_source("mysql://u@127.0.0.1/db", sample=5)


def test_sqlite_table_with_2000_columns_and_10_mb_values(tmp_path: Path) -> None:
    path = tmp_path / "wide.db"
    db = sqlite3.connect(path)
    names = [f"c{i}" for i in range(1999)] + ["email"]
    db.execute(f"CREATE TABLE wide ({', '.join(n + ' TEXT' for n in names)})")
    marks = ", ".join("?" for _ in names)
    for r in range(600):
        db.execute(f"INSERT INTO wide VALUES ({marks})", [str(r * 7)] * 1999 + [f"u{r}@x.example"])
    db.execute("CREATE TABLE big (email TEXT, notes TEXT, blob BLOB)")
    for r in range(4):
        db.execute(
            "INSERT INTO big VALUES (?, ?, ?)",
            (f"b{r}@x.example", "x" * 10_000_000, os.urandom(1000) + b"\xff\xfe"),
        )
    db.commit()
    db.close()
    report = scan_sources([str(path)], sample=1000)
    wide = next(t for t in report.tables if t.table == "wide")
    assert len(wide.columns) == 2000
    assert wide.sampled_rows == 500
    assert categories(wide)["email"] == {C.CONTACT_EMAIL}
    big = next(t for t in report.tables if t.table == "big")
    assert categories(big)["email"] == {C.CONTACT_EMAIL}
    assert categories(big)["notes"] == set()


# -- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture
def pg_schema() -> Iterator[str]:
    url = os.environ.get("BREACHDESK_TEST_DATABASE_URL")
    if not url:
        pytest.skip("BREACHDESK_TEST_DATABASE_URL is not set")
    schema = f"inv_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(
            text(
                f"CREATE TABLE {schema}.customers (id serial PRIMARY KEY, full_name text, "
                "email text, card_number text, cvv text)"
            )
        )
        for i in range(30):
            conn.execute(
                text(
                    f"INSERT INTO {schema}.customers (full_name, email, card_number, cvv) "
                    "VALUES (:n, :e, '4111111111111111', '123')"
                ),
                {"n": f"Marie Dupont{i}", "e": f"m{i}@example.fr"},
            )
    yield f"{url}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_scan_reads_one_schema_read_only(pg_schema: str) -> None:
    report = scan_sources([pg_schema], sample=100)
    (customers,) = [t for t in report.tables if t.table == "customers"]
    found = categories(customers)
    assert found["email"] == {C.CONTACT_EMAIL}
    assert found["card_number"] == {C.FINANCIAL_CARD_NUMBER}
    assert found["id"] == {C.ACCOUNT_ID}
    assert customers.row_count == 30
    assert {f.rule for f in report.findings} >= {
        "pan-readable",
        "cvv-stored",
        "payment-with-contact",
    }
    source = SqlSource(pg_schema, 10)
    with pytest.raises(SQLAlchemyError, match="read-only"), source.engine().begin() as conn:
        conn.execute(text("DELETE FROM customers"))
    source.close()


# -- files ------------------------------------------------------------------------------


def test_csv_tsv_parquet_jsonl_and_gzip_files(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", 20)
    (tmp_path / "b.tsv").write_text("courriel\ttelefono\n" + "x@y.example\t+34 911 234 567\n" * 5)
    pq.write_table(
        pa.table({"email": [f"p{i}@q.example" for i in range(9)], "n": list(range(9))}),
        tmp_path / "c.parquet",
    )
    with (tmp_path / "d.jsonl").open("w") as handle:
        for i in range(7):
            handle.write(
                json.dumps({"user": {"email": f"j{i}@k.example", "ip": f"10.1.0.{i}"}}) + "\n"
            )
        handle.write("not json\n")
    with gzip.open(tmp_path / "e.csv.gz", "wt") as handle:
        handle.write("email\n" + "g@h.example\n" * 5)
    hidden = tmp_path / ".git"
    hidden.mkdir()
    write_csv(hidden / "ignored.csv", 3)
    report = scan_sources([str(tmp_path)], sample=100)
    tables = {t.table: t for t in report.tables}
    assert set(tables) == {"a.csv", "b.tsv", "c.parquet", "d.jsonl", "e.csv.gz"}
    assert categories(tables["a.csv"])["card"] == {C.FINANCIAL_CARD_NUMBER}
    assert categories(tables["b.tsv"])["courriel"] == {C.CONTACT_EMAIL}
    assert tables["c.parquet"].row_count == 9
    assert tables["c.parquet"].row_count_exact
    assert categories(tables["d.jsonl"]) == {
        "user.email": {C.CONTACT_EMAIL},
        "user.ip": {C.NETWORK_IP},
    }
    assert "1 lines were not JSON objects" in tables["d.jsonl"].notes
    assert categories(tables["e.csv.gz"])["email"] == {C.CONTACT_EMAIL}


def test_huge_sparse_csv_reads_only_the_sample(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "huge.csv", 3000)
    os.truncate(path, 10 * 1024**3)  # 10 GB of holes: nothing is written
    if path.stat().st_blocks * 512 > 200 * 1024**2:
        pytest.skip("this filesystem does not support sparse files")
    report = scan_sources([str(path)], sample=1000)
    (table,) = report.tables
    assert table.sampled_rows == 1000
    assert not table.row_count_exact
    assert categories(table)["email"] == {C.CONTACT_EMAIL}


def test_csv_sample_past_the_real_rows_stops_at_the_garbage(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "short.csv", 50)
    os.truncate(path, 300 * 1024**2)
    if path.stat().st_blocks * 512 > 100 * 1024**2:
        pytest.skip("this filesystem does not support sparse files")
    (table,) = scan_sources([str(path)], sample=1000).tables
    assert table.sampled_rows >= 50
    assert categories(table)["email"] == {C.CONTACT_EMAIL}


def test_binary_garbage_files_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "nul.csv").write_bytes(os.urandom(500_000))
    (tmp_path / "latin.csv").write_bytes(bytes(range(1, 256)) * 2000)
    (tmp_path / "bad.parquet").write_bytes(os.urandom(5000))
    (tmp_path / "bad.jsonl").write_bytes(os.urandom(5000) + b"\n" + b"[[[[" * 10_000 + b"\n")
    report = scan_sources([str(tmp_path)], sample=200)
    assert len(report.tables) == 4
    notes = {t.table: " ".join(t.notes) for t in report.tables}
    assert "binary" in notes["nul.csv"] or "Latin-1" in notes["nul.csv"]
    assert "Parquet" in notes["bad.parquet"]


def test_ten_megabyte_values_are_cut_before_classification(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write("email,notes\n")
        for i in range(4):
            handle.write(f"a{i}@example.org,{'y' * 10_000_000}\n")
    with (tmp_path / "big.jsonl").open("w") as handle:
        for i in range(3):
            handle.write(
                json.dumps({"email": f"j{i}@example.org", "blob": "z" * 10_000_000}) + "\n"
            )
    report = scan_sources([str(tmp_path)], sample=10)
    for table in report.tables:
        assert categories(table)["email"] == {C.CONTACT_EMAIL}
    sample = open_source(str(path), sample=10)
    (first,) = list(sample.tables())
    assert max(len(v or "") for v in first.columns[1].values.to_pylist()) == VALUE_CAP


def test_jsonl_line_longer_than_the_cap_stops_reading(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("w") as handle:
        handle.write(json.dumps({"email": "a@b.example"}) + "\n")
        handle.write('{"x": "' + "q" * (MAX_LINE + 10) + '"}\n')
        handle.write(json.dumps({"email": "c@d.example"}) + "\n")
    (table,) = scan_sources([str(path)], sample=10).tables
    assert table.sampled_rows == 1
    assert any("longer than" in n for n in table.notes)


def test_csv_with_2000_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    with path.open("w") as handle:
        handle.write(",".join(f"c{i}" for i in range(1999)) + ",email\n")
        for r in range(200):
            handle.write(",".join(str(r * i) for i in range(1999)) + f",u{r}@example.net\n")
    (table,) = scan_sources([str(path)], sample=1000).tables
    assert len(table.columns) == 2000
    assert categories(table)["email"] == {C.CONTACT_EMAIL}
    assert sum(1 for c in table.columns if c.categories) == 1


def test_unknown_file_kind_and_missing_path_are_source_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_text("x")
    with pytest.raises(SourceUnavailable, match="not a CSV"):
        open_source(str(tmp_path / "notes.docx"), sample=10)
    with pytest.raises(SourceUnavailable, match="no such file"):
        open_source(str(tmp_path / "absent.csv"), sample=10)
    with pytest.raises(SourceUnavailable, match="at least 1"):
        open_source(str(tmp_path), sample=0)


def test_broken_view_becomes_a_note_not_a_failed_scan(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE gone (x TEXT); CREATE VIEW v AS SELECT x FROM gone; DROP TABLE gone;"
        "CREATE TABLE people (email TEXT); INSERT INTO people VALUES ('a@b.example'),"
        "('c@d.example'), ('e@f.example');"
    )
    db.close()
    tables = {t.table: t for t in scan_sources([str(path)]).tables}
    assert categories(tables["people"]) == {"email": {C.CONTACT_EMAIL}}
    assert tables["v"].columns == ()
    assert "could not read" in tables["v"].notes[0]
