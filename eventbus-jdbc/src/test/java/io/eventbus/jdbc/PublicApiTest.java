package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No public signature of the module's user package mentions an internal type. */
class PublicApiTest {
  private static final List<Class<?>> PUBLIC_TYPES =
      List.of(
          Outbox.class,
          Outbox.Builder.class,
          Inbox.class,
          Inbox.Builder.class,
          JdbcTransaction.class,
          JdbcTables.class,
          StoredEvent.class,
          OutboxStatus.class,
          OutboxDeadLetter.class,
          OutboxStoreException.class,
          InboxException.class);

  @Test
  void publicSignaturesDoNotMentionInternalTypes() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : PUBLIC_TYPES) {
      assertThat(Modifier.isPublic(type.getModifiers())).as(type.getName()).isTrue();
      for (Method method : type.getMethods()) {
        String signature = method.toGenericString();
        if (signature.contains(".internal.")) {
          leaks.add(signature);
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
