package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventHandler;
import io.eventbus.RequestHandler;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Remembers every singleton bean whose class has {@link EventHandler} or {@link RequestHandler}
 * methods, as it was finally initialised (AOP proxies included, so that advice such as
 * {@code @Transactional} on a handler applies), for {@link EventBusLifecycle} to subscribe when the
 * context starts.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe: beans may be created concurrently.
 */
final class EventHandlerBeans implements BeanPostProcessor {
  private final Map<Class<?>, Boolean> handles = new ConcurrentHashMap<>();
  private final List<HandlerBean> beans = new ArrayList<>();

  /** A bean with handler or responder methods: its name, the object and its own class. */
  record HandlerBean(String name, Object bean, Class<?> userClass) {}

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> userClass = ClassUtils.getUserClass(AopProxyUtils.ultimateTargetClass(bean));
    if (handles.computeIfAbsent(userClass, EventHandlerBeans::hasHandlerMethods)) {
      synchronized (beans) {
        beans.add(new HandlerBean(beanName, bean, userClass));
      }
    }
    return bean;
  }

  /** The beans seen so far, in creation order. */
  List<HandlerBean> beans() {
    synchronized (beans) {
      return List.copyOf(beans);
    }
  }

  /**
   * Whether {@code type} (its own class, not a proxy's) declares or inherits {@link EventHandler}
   * or {@link RequestHandler} methods.
   */
  static boolean hasHandlerMethods(Class<?> type) {
    if (!AnnotationUtils.isCandidateClass(type, EventHandler.class)
        && !AnnotationUtils.isCandidateClass(type, RequestHandler.class)) {
      return false;
    }
    boolean[] found = {false};
    ReflectionUtils.doWithMethods(
        type, (Method method) -> found[0] = true, EventHandlerBeans::isHandlerMethod);
    return found[0];
  }

  /** Whether {@code method} handles events or answers requests. */
  static boolean isHandlerMethod(Method method) {
    return method.isAnnotationPresent(EventHandler.class)
        || method.isAnnotationPresent(RequestHandler.class);
  }
}
