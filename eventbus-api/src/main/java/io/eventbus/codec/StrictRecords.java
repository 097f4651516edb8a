package io.eventbus.codec;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.RecordComponent;

/**
 * Makes every component of a record required and non-null unless it is declared nullable: a JSON
 * body that leaves out such a component, or sets it to {@code null}, is refused instead of handing
 * the handler a {@code null} (or a primitive's zero) it did not ask for.
 *
 * <p>A component is nullable if its parameter in the record's canonical constructor, or the
 * component itself, carries an annotation called {@code Nullable} of any package, as a declaration
 * annotation ({@code javax.annotation.Nullable}, {@code jakarta.annotation.Nullable}) or a type-use
 * one (JSpecify's {@code org.jspecify.annotations.Nullable}, read from the constructor's annotated
 * parameter types and the component's annotated type). Primitives are never nullable. Classes that
 * are not records are left as Jackson reads them.
 *
 * <p>It works through Jackson's own two hooks, so the body is parsed once: a required marker (a
 * missing component fails with "Missing required creator property") and a null handling of {@link
 * Nulls#FAIL} (an explicit {@code null} fails with an {@code InvalidNullException}). It runs once
 * per record type, when Jackson builds that type's deserializer.
 */
final class StrictRecords extends NopAnnotationIntrospector {
  private static final long serialVersionUID = 1L;

  @Override
  public Boolean hasRequiredMarker(AnnotatedMember member) {
    return strictParameter(member) ? Boolean.TRUE : null;
  }

  @Override
  public JsonSetter.Value findSetterInfo(Annotated annotated) {
    return strictParameter(annotated)
        ? JsonSetter.Value.forValueNulls(Nulls.FAIL)
        : JsonSetter.Value.empty();
  }

  /** Whether {@code annotated} is a non-nullable parameter of a record's canonical constructor. */
  private static boolean strictParameter(Annotated annotated) {
    if (!(annotated instanceof AnnotatedParameter parameter)) {
      return false;
    }
    if (!(parameter.getOwner().getAnnotated() instanceof Executable executable)
        || !(executable instanceof Constructor<?> constructor)) {
      return false;
    }
    Class<?> owner = constructor.getDeclaringClass();
    RecordComponent[] components = owner.getRecordComponents();
    int index = parameter.getIndex();
    if (components == null || !canonical(constructor, components)) {
      return false;
    }
    Class<?> type = constructor.getParameterTypes()[index];
    if (type.isPrimitive()) {
      return true;
    }
    RecordComponent component = components[index];
    return !(nullable(constructor.getParameterAnnotations()[index])
        || nullable(constructor.getAnnotatedParameterTypes()[index])
        || nullable(component.getAnnotations())
        || nullable(component.getAnnotatedType()));
  }

  private static boolean canonical(Constructor<?> constructor, RecordComponent[] components) {
    Class<?>[] parameters = constructor.getParameterTypes();
    if (parameters.length != components.length) {
      return false;
    }
    for (int i = 0; i < parameters.length; i++) {
      if (parameters[i] != components[i].getType()) {
        return false;
      }
    }
    return true;
  }

  private static boolean nullable(AnnotatedType type) {
    return nullable(type.getAnnotations());
  }

  private static boolean nullable(Annotation[] annotations) {
    for (Annotation annotation : annotations) {
      if (annotation.annotationType().getSimpleName().equals("Nullable")) {
        return true;
      }
    }
    return false;
  }
}
