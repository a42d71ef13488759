package dev.bindery.server.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes a record of the HTTP API, or one of its components, in the generated OpenAPI document.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE})
public @interface Doc {
  /** The description. */
  String value();

  /** True if the member must be present in a request. */
  boolean required() default false;
}
