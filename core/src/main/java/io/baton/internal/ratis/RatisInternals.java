package io.baton.internal.ratis;

import java.lang.reflect.Method;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up the few non-public Ratis methods Baton calls (ElectionTimer, PeerChannels), each pinned
 * by a test against the Ratis on the class path; logs a warning once when one is missing.
 */
final class RatisInternals {
  private static final Logger LOG = LoggerFactory.getLogger(RatisInternals.class);

  private RatisInternals() {}

  /**
   * The declared method {@code name(params)} of Ratis class {@code className}, made accessible, or
   * empty with a warning that ends with {@code withoutIt}: what Baton does without it.
   */
  static Optional<Method> method(
      String className, String name, String withoutIt, Class<?>... params) {
    try {
      Method m = Class.forName(className).getDeclaredMethod(name, params);
      m.setAccessible(true);
      return Optional.of(m);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("This Ratis version has no {}.{} ({}): {}", className, name, e, withoutIt);
      return Optional.empty();
    }
  }
}
