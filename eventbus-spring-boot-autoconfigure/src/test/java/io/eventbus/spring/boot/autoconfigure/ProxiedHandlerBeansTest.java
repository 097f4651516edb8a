package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventHandler;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.EventRecorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Handler beans wrapped in a class-based proxy, as {@code @Transactional} or any aspect wraps them:
 * the handler is called through the proxy, so the advice runs around it, on the real bean.
 */
class ProxiedHandlerBeansTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(EventBusAutoConfiguration.class))
          .withPropertyValues("eventbus.transport=in-memory");

  @Test
  void callsTheHandlerThroughTheProxySoThatItsAdviceRuns() {
    runner
        .withUserConfiguration(AdvisedConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(AopUtils.isCglibProxy(context.getBean(AuditedHandlers.class))).isTrue();
              context.getBean(EventBus.class).publishAndWait(new OrderPlaced("o-1", 1));
              context
                  .getBean(EventRecorder.class)
                  .awaitHandled("audited", OrderPlaced.class, 1, Duration.ofSeconds(10));

              AdvisedConfiguration advised = context.getBean(AdvisedConfiguration.class);
              assertThat(advised.advice).containsExactly("around on(OrderPlaced)");
              assertThat(context.getBean(AuditedHandlers.class).seen()).containsExactly("o-1");
            });
  }

  @Test
  void refusesAPrivateHandlerMethodOfAProxiedBeanNamingIt() {
    runner
        .withUserConfiguration(PrivateMethodConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(EventBusConfigurationException.class)
                  .hasMessageContaining("privateHandlers")
                  .hasMessageContaining("is private or final");
            });
  }

  @EventSubscription("audited")
  static class AuditedHandlers {
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @EventHandler
    void on(OrderPlaced order) {
      seen.add(order.orderId());
    }

    List<String> seen() {
      return seen;
    }
  }

  @EventSubscription("private")
  static class PrivateHandlers {
    @EventHandler
    private void on(OrderPlaced order) {}
  }

  /** Proxies its handler beans by class, with an interceptor that notes every handler call. */
  static BeanPostProcessor proxying(List<String> advice) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String name) {
        if (!(bean instanceof AuditedHandlers) && !(bean instanceof PrivateHandlers)) {
          return bean;
        }
        ProxyFactory factory = new ProxyFactory(bean);
        factory.setProxyTargetClass(true);
        factory.addAdvice(
            (MethodInterceptor)
                invocation -> {
                  if (invocation.getMethod().isAnnotationPresent(EventHandler.class)) {
                    advice.add("around on(OrderPlaced)");
                  }
                  return invocation.proceed();
                });
        return factory.getProxy(bean.getClass().getClassLoader());
      }
    };
  }

  @Configuration(proxyBeanMethods = false)
  @RecordEvents
  static class AdvisedConfiguration {
    final List<String> advice = new CopyOnWriteArrayList<>();

    @Bean
    static BeanPostProcessor auditProxies(AdvisedConfiguration configuration) {
      return proxying(configuration.advice);
    }

    @Bean
    AuditedHandlers auditedHandlers() {
      return new AuditedHandlers();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PrivateMethodConfiguration {
    @Bean
    static BeanPostProcessor privateProxies() {
      return proxying(new CopyOnWriteArrayList<>());
    }

    @Bean
    PrivateHandlers privateHandlers() {
      return new PrivateHandlers();
    }
  }
}
