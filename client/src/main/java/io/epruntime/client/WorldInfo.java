package io.epruntime.client;

import io.epruntime.protocol.ep.EpConfig;

/**
 * The world the client is connected to.
 *
 * @param config its shape, as the cluster runs it
 * @param generation the generation last seen Ready
 */
public record WorldInfo(EpConfig config, long generation) {}
