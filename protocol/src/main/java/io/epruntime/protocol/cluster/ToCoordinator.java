package io.epruntime.protocol.cluster;

/**
 * Messages the coordinator singleton accepts from other nodes (ranks, gateways, clients). Not
 * sealed: the coordinator adds its own private messages (timer ticks, adapted replies) under it.
 */
public interface ToCoordinator extends CborSerializable {}
