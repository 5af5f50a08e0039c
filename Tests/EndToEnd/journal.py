"""Reads cloudctl's SQLite journal directly (read-only) for assertions."""
import sqlite3


def rows(db, sql, *args):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def count(db, sql, *args):
    try:
        return rows(db, sql, *args)[0][0]
    except sqlite3.OperationalError:  # database or table not created yet
        return 0


def succeeded_steps(db):
    return count(db, "SELECT count(*) FROM steps WHERE status = 'succeeded'")
