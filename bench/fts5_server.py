"""The comparison endpoint for the benchmark: SQLite FTS5 behind a minimal `/search.json`.

It does what our `/search.json` does, the plain way: `bm25()` ranking with title and summary weighed
above the text, `snippet()` for the shown hits, `GROUP BY` facet counts over every match, a date-range
filter on integer bounds, and only public records. Usage: python bench/fts5_server.py DB PORT
"""
from __future__ import annotations

import json
import sqlite3
import sys
import threading
from urllib.parse import parse_qs

import sqlite_utils

FACETS = ("type", "language", "decade")
_local = threading.local()


def load(db_path: str, records) -> int:
    """Load records (the archive's record JSON) into a table with an FTS5 index; returns the count."""
    db = sqlite_utils.Database(db_path)
    db.enable_wal()
    rows = ({"id": r["id"], "title": r["title"], "summary": r.get("summary") or "",
             "text": r.get("text") or "", "people": " ".join(p["name"] for p in r.get("people", [])),
             "type": r["type"], "language": ",".join(r.get("language") or []),
             "decade": r.get("_decade") or "", "date_lo": r.get("_lo"), "date_hi": r.get("_hi"),
             "access": r.get("access", "public")} for r in records)
    db["docs"].insert_all(rows, pk="id", batch_size=500)
    db["docs"].enable_fts(["title", "summary", "text", "people"], create_triggers=False, tokenize="unicode61")
    count = db["docs"].count
    db.close()
    return count


def connection(db_path: str) -> sqlite3.Connection:
    if not hasattr(_local, "conn"):
        _local.conn = sqlite3.connect(db_path, check_same_thread=False)
    return _local.conn


def search(conn, q: str, lo: int | None, hi: int | None, limit: int = 20) -> dict:
    where = ["docs_fts MATCH ?", "d.access = 'public'"]
    params: list = [q]
    if lo is not None:
        where.append("d.date_hi >= ?")
        params.append(lo)
    if hi is not None:
        where.append("d.date_lo <= ?")
        params.append(hi)
    base = f"FROM docs_fts JOIN docs d ON d.rowid = docs_fts.rowid WHERE {' AND '.join(where)}"
    total = conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    hits = [{"id": row[0], "title": row[1], "type": row[2], "snippet": row[3], "score": row[4]}
            for row in conn.execute(
                f"SELECT d.id, d.title, d.type, snippet(docs_fts, 2, '<mark>', '</mark>', '…', 24), "
                f"bm25(docs_fts, 3.0, 2.0, 1.0, 1.5) AS score {base} ORDER BY score LIMIT ?",
                [*params, limit])]
    facets = {name: [{"value": v, "count": c} for v, c in conn.execute(
        f"SELECT d.{name}, count(*) {base} GROUP BY d.{name} ORDER BY count(*) DESC LIMIT 20", params)]
        for name in FACETS}
    return {"total": total, "hits": hits, "facets": facets}


def make_app(db_path: str):
    def app(environ, start_response):
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        lo = int(args["from"]) if args.get("from") else None
        hi = int(args["to"]) if args.get("to") else None
        try:
            body = json.dumps(search(connection(db_path), args.get("q", ""), lo, hi)).encode()
            status = "200 OK"
        except sqlite3.OperationalError as exc:
            body, status = json.dumps({"error": str(exc)}).encode(), "400 Bad Request"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    return app


if __name__ == "__main__":
    import waitress
    waitress.serve(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), threads=4,
                   ident="fts5")
