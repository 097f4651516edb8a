/** Implementation details; not an API. Anything here may change in any release. */
@NullMarked
package io.eventbus.internal;

import org.jspecify.annotations.NullMarked;
