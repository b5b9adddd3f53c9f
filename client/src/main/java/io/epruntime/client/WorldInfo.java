package io.epruntime.client;

import io.epruntime.protocol.ep.EpConfig;

/** The world the client is connected to: its shape and the generation last seen Ready. */
public record WorldInfo(EpConfig config, long generation) {}
