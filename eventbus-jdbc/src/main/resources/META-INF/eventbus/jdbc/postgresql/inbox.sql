-- eventbus idempotent inbox, PostgreSQL 12 or newer.
-- Names carry the default prefix "eventbus_"; for another prefix, replace it everywhere (the library
-- does so itself when it creates the schema at start, inside the configured schema).

-- One row per event a subscription handled, written in the handler's own transaction.
CREATE TABLE IF NOT EXISTS eventbus_inbox (
  subscription varchar(200) NOT NULL,
  event_id     varchar(255) NOT NULL,
  handled_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (subscription, event_id)
);

-- Retention.
CREATE INDEX IF NOT EXISTS eventbus_inbox_handled_at ON eventbus_inbox (handled_at);
