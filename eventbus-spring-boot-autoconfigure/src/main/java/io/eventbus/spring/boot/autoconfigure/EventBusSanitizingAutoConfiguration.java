package io.eventbus.spring.boot.autoconfigure;

import java.util.Locale;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * With Actuator, keeps eventbus's secrets out of the {@code /actuator/configprops} and {@code
 * /actuator/env} endpoints even when they show values ({@code
 * management.endpoint.configprops.show-values=always}): {@code eventbus.rabbitmq.password} (also as
 * the environment variable {@code EVENTBUS_RABBITMQ_PASSWORD}) is shown as {@code ******}, and the
 * password in the user info of {@code eventbus.rabbitmq.uri} and {@code failover-uris} as {@code
 * amqp://user:******@host}. (By default Actuator shows no value at all.)
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
public final class EventBusSanitizingAutoConfiguration {
  @Bean
  SanitizingFunction eventBusSecrets() {
    return EventBusSanitizingAutoConfiguration::sanitize;
  }

  static SanitizableData sanitize(SanitizableData data) {
    String key = data.getKey();
    if (key == null) {
      return data;
    }
    String simple = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
    if (!simple.startsWith("eventbus")) {
      return data;
    }
    if (simple.endsWith("password")) {
      return data.withSanitizedValue();
    }
    if (data.getValue() instanceof String text && Secrets.hasUriPassword(text)) {
      return data.withValue(Secrets.maskUri(text));
    }
    return data;
  }
}
