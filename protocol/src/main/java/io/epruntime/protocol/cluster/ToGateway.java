package io.epruntime.protocol.cluster;

/** Questions a node's gateway accepts from clients (the world, the status); it forwards them to the coordinator. */
public interface ToGateway extends CborSerializable {}
