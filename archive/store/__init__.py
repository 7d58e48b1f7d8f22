"""The store: SQLite through sqlite-utils, the archive's truth, and the only place with SQL.

Callers write `from archive import store` and then `store.get_record(db, record_id, viewer)`; the
modules below are how the store is arranged, not something callers need to know:

- `schema`: opening the database, the schema and its migrations, write transactions, the meta
  table (archive id, change counter), ids, backups;
- `records`: record rows and links, a record's JSON, and which records a viewer may see;
- `authorities`: people, events and places, their names, merges and redirects, and which of them
  a viewer may see;
- `accounts`: users, their sessions and failed sign-ins;
- `harvest`: what OAI-PMH harvesters see;
- `audit`: revisions and the view log;
- `browse`: subjects and collections with counts.

Every read that lists or shows records or authorities takes a `Viewer` and hides what that viewer
may not see. Writes are single row changes; `archive/records.py`, the one write path, composes them
inside one transaction together with the index. The store knows nothing of Flask or Whoosh.
"""
from .accounts import (add_sign_in_failure, clear_sign_in_failures, count_admins, find_user,
                       forget_sign_in_failures, get_user, list_users, put_user, set_user_password,
                       set_user_role, sign_in_failures)
from .accounts import add_session, delete_sessions, delete_user, forget_sessions, session_user
from .audit import (access_report, add_revision, deleted_records, last_revision, log_view, merge_revisions,
                    record_views, revision_data, revisions)
from .authorities import (authority_names, children_of, count_entities, dated_events, entities_with_counts,
                          entity_index_names, events_at, redirected_to, set_redirect, entity_json, entity_labels, entity_records, entity_row,
                          find_by_name, get_entity, iter_entities, linked_record_ids, merge_entity_rows,
                          put_entity_row, redirect_target, set_event_places, sub_events, suggest_names,
                          visible_entities_sql, visible_names_for_keys)
from .browse import LABEL_FIELDS, label_names, labels
from .harvest import (count_harvest, earliest_harvest_datestamp, harvest_collections, harvest_row,
                      harvest_rows)
from .records import (count_records, deleted_record_row, get_record, iter_record_rows,
                      live_record_seqs, newest_records, people_of, put_record_row, record_json,
                      record_links, record_row, records_by_ids, records_per_year,
                      records_with_lapsed_redactions, set_record_links, set_segment_links,
                      media_folder, set_record_seq, tombstone_record, viewer_row, visible_records_sql)
from .schema import (MIGRATIONS, SCHEMA_VERSION, SchemaTooNew, backup, connect, create_tables,
                     current_seq, get_meta, id_taken, new_id, next_seq, set_meta, write_transaction)

__all__ = [
    "access_report", "add_revision", "add_session", "add_sign_in_failure", "authority_names", "backup",
    "children_of", "clear_sign_in_failures", "connect", "count_admins", "count_entities", "count_harvest",
    "count_records", "create_tables", "current_seq", "dated_events", "delete_sessions", "delete_user",
    "deleted_record_row", "deleted_records", "earliest_harvest_datestamp", "entities_with_counts",
    "entity_index_names", "entity_json", "entity_labels", "entity_records", "entity_row", "events_at",
    "find_by_name", "find_user", "forget_sessions", "forget_sign_in_failures", "get_entity", "get_meta",
    "get_record", "get_user", "harvest_collections", "harvest_row", "harvest_rows", "id_taken",
    "iter_entities", "iter_record_rows", "LABEL_FIELDS", "label_names", "labels", "last_revision",
    "linked_record_ids", "list_users", "live_record_seqs", "log_view", "media_folder", "merge_entity_rows",
    "merge_revisions", "MIGRATIONS", "new_id", "newest_records", "next_seq", "people_of", "put_entity_row",
    "put_record_row", "put_user", "record_json", "record_links", "record_row", "record_views", "records_by_ids",
    "records_per_year", "records_with_lapsed_redactions", "redirect_target", "redirected_to",
    "revision_data", "revisions", "SCHEMA_VERSION", "SchemaTooNew", "session_user", "set_event_places",
    "set_meta", "set_record_links", "set_record_seq", "set_redirect", "set_segment_links",
    "set_user_password", "set_user_role", "sign_in_failures", "sub_events", "suggest_names",
    "tombstone_record", "viewer_row", "visible_entities_sql", "visible_names_for_keys",
    "visible_records_sql", "write_transaction",
]
