package io.epruntime.client;

import io.epruntime.protocol.ep.EpConfig;

/**
 * The world the client is connected to.
 *
 * @param config its shape, as the cluster runs it
 * @param generation the generation last seen Ready
 * @param stepControl what carries this client's {@code SubmitStep}: {@code aeron} (a CONTROL frame
 *     to the coordinator's node) or {@code pekko} (the gateway, over Pekko remoting), as the
 *     cluster's {@code ep.step-control} says
 */
public record WorldInfo(EpConfig config, long generation, String stepControl) {}
