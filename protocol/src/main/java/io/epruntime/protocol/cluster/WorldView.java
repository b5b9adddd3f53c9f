package io.epruntime.protocol.cluster;

import io.epruntime.protocol.ep.EpConfig;
import java.util.List;

/**
 * The world as the coordinator sees it.
 *
 * @param state {@code forming}, {@code bootstrapping} or {@code ready}
 * @param generation the current generation (0 before the first)
 * @param config the world's shape
 * @param rankEndpoints per rank, the Aeron endpoint that takes its step inputs ("" when unknown)
 * @param missingRanks ranks not (or no longer) registered
 * @param submitEndpoint the Aeron endpoint (the coordinator's node) that takes {@code SubmitStep} as a
 *     CONTROL frame; "" = submit through the gateway over Pekko
 */
public record WorldView(
    String state, long generation, EpConfig config, List<String> rankEndpoints, List<Integer> missingRanks,
    String submitEndpoint) implements ToClient {}
