package io.epruntime.client.internal;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.EventStream;
import org.apache.pekko.event.slf4j.Slf4jLoggingFilter;
import org.apache.pekko.stream.Materializer;

/**
 * The client's Pekko logging filter: SLF4J's levels, less the warnings every client would print on
 * close. {@link Materializer} warns when Artery's outbound connections are aborted, which is how
 * Pekko closes them when the client's actor system terminates; the client runs no streams of its
 * own, and a connection that fails while in use is still reported, as an error, by Artery's
 * association.
 */
public final class ClientLoggingFilter extends Slf4jLoggingFilter {
  public ClientLoggingFilter(ActorSystem.Settings settings, EventStream eventStream) {
    super(settings, eventStream);
  }

  @Override
  public boolean isWarningEnabled(Class<?> logClass, String logSource) {
    return !expected(logClass) && super.isWarningEnabled(logClass, logSource);
  }

  @Override
  public boolean isWarningEnabled(Class<?> logClass, String logSource, org.apache.pekko.event.LogMarker marker) {
    return !expected(logClass) && super.isWarningEnabled(logClass, logSource, marker);
  }

  private static boolean expected(Class<?> logClass) {
    return Materializer.class.isAssignableFrom(logClass);
  }
}
