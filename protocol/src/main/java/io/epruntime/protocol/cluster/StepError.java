package io.epruntime.protocol.cluster;

import io.epruntime.protocol.ep.StepStatus;

/**
 * A step that did not complete, from the coordinator to the client's Aeron endpoint.
 *
 * @param clientId the client whose step it is
 * @param status how it ended (never {@link StepStatus#OK}); what the client should do about it
 * @param generation the world generation that was current, for retriable statuses
 * @param field the refused argument for {@link StepStatus#REJECTED}, else null
 */
public record StepError(long clientId, long requestId, StepStatus status, long generation, String field, String message) {}
