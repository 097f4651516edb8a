/** For nobody: the SQL dialect seam and its PostgreSQL implementation. */
@NullMarked
package io.eventbus.jdbc.internal;

import org.jspecify.annotations.NullMarked;
