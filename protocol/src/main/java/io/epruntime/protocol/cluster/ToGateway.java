package io.epruntime.protocol.cluster;

/** Messages a node's gateway accepts from clients; it forwards them to the coordinator. */
public interface ToGateway extends CborSerializable {}
