package io.epruntime.engine;

import java.nio.ByteBuffer;

/**
 * What one rank's LL expert pass produces when it goes straight from dispatch payloads to combine
 * payloads ({@link RankEngine#llExpertsInPlace}).
 *
 * @param combinePayloads one LL combine payload per home rank (index = the rank the pairs came from)
 * @param receivedPairs the (token, expert) pairs this rank received and ran
 */
public record LlExpertPass(ByteBuffer[] combinePayloads, long receivedPairs) {}
