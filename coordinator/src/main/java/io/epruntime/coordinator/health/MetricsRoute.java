package io.epruntime.coordinator.health;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/** {@code GET /metrics}: the node's counters in Prometheus text format, next to /alive and /ready. */
public final class MetricsRoute extends AllDirectives implements ManagementRouteProvider {
  private static final ContentType.NonBinary PROMETHEUS_TEXT =
      MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

  private final ExtendedActorSystem system;

  public MetricsRoute(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path("metrics", () -> get(() -> complete(
        HttpResponse.create().withEntity(PROMETHEUS_TEXT, NodeParts.of(system).metrics().renderPrometheus()))));
  }
}
