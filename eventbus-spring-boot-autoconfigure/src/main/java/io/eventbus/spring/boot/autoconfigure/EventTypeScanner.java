package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventType;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@link EventType} classes under the application's packages (those of its
 * {@code @SpringBootApplication}), so that events a service only publishes need no registration, as
 * entity scanning does for JPA.
 */
final class EventTypeScanner {
  private EventTypeScanner() {}

  static List<Class<?>> scan(List<String> packages, ClassLoader classLoader) {
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(EventType.class));
    List<Class<?>> found = new ArrayList<>();
    for (String packageName : packages) {
      for (BeanDefinition candidate : scanner.findCandidateComponents(packageName)) {
        String className = candidate.getBeanClassName();
        try {
          found.add(ClassUtils.forName(className, classLoader));
        } catch (ClassNotFoundException | LinkageError e) {
          throw new EventBusConfigurationException(
              "Event type " + className + " could not be loaded: " + e);
        }
      }
    }
    return found;
  }
}
