package io.epruntime.protocol.cluster;

/** What ranks report to the per-step aggregator named in {@link RunStep}. */
public interface ToAggregator extends CborSerializable {}
