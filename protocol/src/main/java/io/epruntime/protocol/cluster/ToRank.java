package io.epruntime.protocol.cluster;

/** Messages a rank actor accepts from the coordinator. Not sealed: the rank adds private ones. */
public interface ToRank extends CborSerializable {}
