package io.eventbus.internal;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventHandlerFunction;
import io.eventbus.Handlers.Registration;
import io.eventbus.Handlers.Responder;
import io.eventbus.RequestHandler;
import io.eventbus.RequestHandlerFunction;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns {@link EventHandler} methods into {@link Registration}s and {@link RequestHandler} methods
 * into {@link Responder}s, called through method handles.
 */
public final class HandlerScanner {
  private static final MethodType INVOKER_TYPE =
      MethodType.methodType(void.class, Object.class, EventContext.class);
  private static final MethodType RESPONDER_TYPE =
      MethodType.methodType(Object.class, Object.class, EventContext.class);

  private HandlerScanner() {}

  /**
   * The registrations for every {@link EventHandler} method of {@code target}'s class hierarchy.
   */
  public static List<Registration<?>> scan(Object target) {
    return scan(target, false);
  }

  /**
   * The registrations for every {@link EventHandler} method of {@code target}'s class hierarchy;
   * none is a mistake unless {@code hasResponders} (it has {@link RequestHandler} methods).
   */
  public static List<Registration<?>> scan(Object target, boolean hasResponders) {
    List<Registration<?>> registrations = new ArrayList<>();
    for (Class<?> type = target.getClass(); type != Object.class; type = type.getSuperclass()) {
      for (Method method : type.getDeclaredMethods()) {
        if (method.isAnnotationPresent(EventHandler.class) && !method.isSynthetic()) {
          registrations.add(registration(target, method));
        }
      }
    }
    if (registrations.isEmpty() && !hasResponders) {
      throw new EventBusConfigurationException(
          target.getClass().getName() + " has no @EventHandler or @RequestHandler methods");
    }
    return registrations;
  }

  /** The responders of every {@link RequestHandler} method of {@code target}'s class hierarchy. */
  public static List<Responder<?>> responders(Object target) {
    List<Responder<?>> responders = new ArrayList<>();
    for (Class<?> type = target.getClass(); type != Object.class; type = type.getSuperclass()) {
      for (Method method : type.getDeclaredMethods()) {
        if (method.isAnnotationPresent(RequestHandler.class) && !method.isSynthetic()) {
          if (method.isAnnotationPresent(EventHandler.class)) {
            throw new EventBusConfigurationException(
                "Method "
                    + describe(method)
                    + " is annotated both @EventHandler and @RequestHandler: choose one");
          }
          responders.add(responder(target, method));
        }
      }
    }
    return responders;
  }

  private static Responder<Object> responder(Object target, Method method) {
    String description = describe(method);
    Class<?>[] parameters = method.getParameterTypes();
    if (Modifier.isStatic(method.getModifiers())) {
      throw invalidResponder(description, "must not be static");
    }
    if (method.getReturnType() == void.class || method.getReturnType().isPrimitive()) {
      throw invalidResponder(description, "must return the reply or a CompletionStage of it");
    }
    if (parameters.length < 1 || parameters.length > 2) {
      throw invalidResponder(description, "must take the request and optionally an EventContext");
    }
    if (parameters.length == 2 && parameters[1] != EventContext.class) {
      throw invalidResponder(description, "may only take an EventContext as its second parameter");
    }
    Class<?> requestClass = parameters[0];
    if (requestClass.isPrimitive()
        || requestClass.isArray()
        || requestClass == Object.class
        || requestClass == EventContext.class) {
      throw invalidResponder(description, "must take a request class as its first parameter");
    }
    MethodHandle handle;
    try {
      method.setAccessible(true);
      handle = MethodHandles.lookup().unreflect(method).bindTo(target);
    } catch (IllegalAccessException | RuntimeException e) {
      throw invalidResponder(description, "is not accessible (" + e.getMessage() + ")");
    }
    if (parameters.length == 1) {
      handle = MethodHandles.dropArguments(handle, 1, EventContext.class);
    }
    MethodHandle invoker = handle.asType(RESPONDER_TYPE);
    RequestHandlerFunction<Object, Object> function =
        (request, context) -> {
          try {
            return (Object) invoker.invokeExact(request, context);
          } catch (Exception | Error e) {
            throw e;
          } catch (Throwable t) {
            throw new IllegalStateException(t);
          }
        };
    @SuppressWarnings("unchecked")
    Class<Object> type = (Class<Object>) requestClass;
    return new Responder<>(type, function, description);
  }

  private static EventBusConfigurationException invalidResponder(String description, String rule) {
    return new EventBusConfigurationException("@RequestHandler method " + description + " " + rule);
  }

  private static Registration<Object> registration(Object target, Method method) {
    String description = describe(method);
    Class<?>[] parameters = method.getParameterTypes();
    if (Modifier.isStatic(method.getModifiers())) {
      throw invalid(description, "must not be static");
    }
    if (method.getReturnType() != void.class) {
      throw invalid(description, "must return void");
    }
    if (parameters.length < 1 || parameters.length > 2) {
      throw invalid(description, "must take the event and optionally an EventContext");
    }
    if (parameters.length == 2 && parameters[1] != EventContext.class) {
      throw invalid(description, "may only take an EventContext as its second parameter");
    }
    Class<?> eventClass = parameters[0];
    if (eventClass.isPrimitive()
        || eventClass.isArray()
        || eventClass == Object.class
        || eventClass == EventContext.class) {
      throw invalid(description, "must take an event class as its first parameter");
    }
    MethodHandle handle;
    try {
      method.setAccessible(true);
      handle = MethodHandles.lookup().unreflect(method).bindTo(target);
    } catch (IllegalAccessException | RuntimeException e) {
      throw invalid(description, "is not accessible (" + e.getMessage() + ")");
    }
    if (parameters.length == 1) {
      handle = MethodHandles.dropArguments(handle, 1, EventContext.class);
    }
    MethodHandle invoker = handle.asType(INVOKER_TYPE);
    EventHandlerFunction<Object> function =
        (event, context) -> {
          try {
            invoker.invokeExact(event, context);
          } catch (Exception | Error e) {
            throw e;
          } catch (Throwable t) {
            throw new IllegalStateException(t);
          }
        };
    @SuppressWarnings("unchecked")
    Class<Object> type = (Class<Object>) eventClass;
    return new Registration<>(type, function, description);
  }

  private static String describe(Method method) {
    return method.getDeclaringClass().getName()
        + "."
        + method.getName()
        + Arrays.stream(method.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", ", "(", ")"));
  }

  private static EventBusConfigurationException invalid(String description, String rule) {
    return new EventBusConfigurationException("@EventHandler method " + description + " " + rule);
  }
}
