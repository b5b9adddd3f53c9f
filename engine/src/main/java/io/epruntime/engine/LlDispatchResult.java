package io.epruntime.engine;

import io.epruntime.protocol.tensor.HiddenStates;

/**
 * What one rank receives from an LL dispatch. The shape depends only on the world, never on data.
 *
 * @param recvX {@code [E/N * N*M, H]} expert-major: the i-th token local expert {@code l} got from
 *     source {@code s} is row {@code l*N*M + s*M + i}; rows never written are zero
 * @param recvCount {@code [E/N]} valid rows per local expert
 * @param srcInfo {@code [E/N * N*M]} source token index per slot, -1 where unused
 * @param handle the layout ranges; combine weights stay at home with the routing
 */
public record LlDispatchResult(HiddenStates recvX, int[] recvCount, int[] srcInfo, LlHandle handle) {}
