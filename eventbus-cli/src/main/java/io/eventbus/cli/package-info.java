/**
 * The operator's command-line tool, a runnable jar ({@code eventbus-cli.jar}): subscriptions and
 * their queues, and the dead-lettered events shown, replayed, discarded and exported. Not an API.
 */
@NullMarked
package io.eventbus.cli;

import org.jspecify.annotations.NullMarked;
