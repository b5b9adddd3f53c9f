package io.epruntime.protocol.cluster;

/** Replies that reach a client (through its ask reference) from the gateway or the coordinator. */
public interface ToClient extends CborSerializable {}
