package io.epruntime.engine;

import io.epruntime.protocol.tensor.HiddenStates;
import io.epruntime.protocol.ep.Routing;

/** One rank's step input: its hidden states and its router's choices, same token count. */
public record RankInput(HiddenStates x, Routing routing) {}
