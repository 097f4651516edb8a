/**
 * For users: the transactional {@link io.eventbus.jdbc.Outbox} (publish exactly when the database
 * commits) and the idempotent {@link io.eventbus.jdbc.Inbox} (handle each event once), on a {@link
 * javax.sql.DataSource}. See docs/outbox.md.
 */
@NullMarked
package io.eventbus.jdbc;

import org.jspecify.annotations.NullMarked;
