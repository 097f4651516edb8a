/**
 * AssertJ assertions for what an {@link io.eventbus.testkit.EventRecorder} recorded: start from
 * {@link io.eventbus.testkit.assertj.EventBusAssertions}, which also offers everything of AssertJ's
 * {@code Assertions}.
 */
@NullMarked
package io.eventbus.testkit.assertj;

import org.jspecify.annotations.NullMarked;
