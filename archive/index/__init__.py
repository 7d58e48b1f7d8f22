"""The search index: Whoosh, derived from the database. The only package that imports whoosh.

- `schema`: the fields, `INDEX_VERSION`, `to_document` (a record as an index document);
- `analysis`: the mixed-script (Khmer) analyzer, pickled into the index, so its path stays put;
- `query`: the cleaned query string as a Whoosh query, `Filters`, proximity ranking;
- `searching`: `Index` — the searcher, searches, facets (`facets`), suggestions (`suggest`), and
  the one door for writes, `with index.transaction() as tx: tx.put(doc)`;
- `writing`: the writer behind that door, its lock, building a fresh index, and `setup()`, which
  applies the patches Whoosh needs once at start-up;
- `merging`: segment merges off the save's path (without the lock, swapped in under it);
- `parallel`: bulk writes (imports, rebuilds) indexed by worker processes that die with the parent;
- `maintenance`: drift between index and database, repair, rebuild, and `ensure_index` at start-up.

The index never reads the database: the write path (`archive.records`) hands it documents, and
searches return record ids that the caller resolves against the store (docs/architecture.md).
"""
from .maintenance import Drift, Source, ensure_index, find_drift, rebuild_index, repair_drift
from .query import Filters
from .schema import FACETS, SCHEMA, to_document
from .searching import Index, Results
from .writing import IndexBusy, Transaction, setup

__all__ = ["Drift", "FACETS", "Filters", "Index", "IndexBusy", "Results", "SCHEMA",
           "Source", "Transaction", "ensure_index", "find_drift", "rebuild_index", "repair_drift",
           "setup", "to_document"]
