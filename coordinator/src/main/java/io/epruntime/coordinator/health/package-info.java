/**
 * The node's Pekko Management endpoints: {@code /alive} ({@link io.epruntime.coordinator.health.NodeAliveCheck}),
 * {@code /ready} ({@link io.epruntime.coordinator.health.RankReadyCheck}) and {@code /metrics}
 * ({@link io.epruntime.coordinator.health.MetricsRoute}), wired in reference.conf.
 */
package io.epruntime.coordinator.health;
