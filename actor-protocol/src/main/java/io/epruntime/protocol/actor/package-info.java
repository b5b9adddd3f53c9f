/**
 * The cluster's asks: messages that carry a Pekko {@code ActorRef} to reply to (the client's world
 * and status queries, the coordinator's probes and unique-id request, a rank's hello). They live
 * apart from {@code io.epruntime.protocol} so that the engine, the transport and native-ep, which
 * use the protocol's records and wire codecs, do not depend on Pekko.
 */
package io.epruntime.protocol.actor;
