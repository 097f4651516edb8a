/** The in-memory transport of eventbus: exports {@code io.eventbus.inmemory}. */
module io.eventbus.inmemory {
  requires transitive io.eventbus;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.eventbus.inmemory;
}
