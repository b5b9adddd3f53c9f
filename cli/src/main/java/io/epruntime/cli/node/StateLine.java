package io.epruntime.cli.node;

import java.io.PrintWriter;

/**
 * Turns the node's status board into log lines a person reads at a glance: one when the world
 * becomes Ready, one per generation change, one when it stops being Ready. Repeated board writes
 * with nothing new print nothing.
 */
final class StateLine {
  private final int rank;
  private final int worldSize;
  private final PrintWriter out;
  private long loggedGeneration;
  private boolean loggedReady;

  StateLine(int rank, int worldSize, PrintWriter out) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.out = out;
  }

  synchronized void update(boolean memberUp, long joinedGeneration, long readyGeneration) {
    boolean ready = memberUp && readyGeneration > 0 && readyGeneration == joinedGeneration;
    String line = null;
    if (ready && (!loggedReady || readyGeneration != loggedGeneration)) {
      line = loggedGeneration == 0
          ? "ep node: rank " + rank + ": world Ready, generation " + readyGeneration + ", " + worldSize + " ranks"
          : "ep node: rank " + rank + ": generation " + loggedGeneration + " -> " + readyGeneration + ", world Ready again";
      loggedGeneration = readyGeneration;
    } else if (!ready && loggedReady) {
      line = "ep node: rank " + rank + ": world not Ready (generation " + loggedGeneration + " ended"
          + (memberUp ? "" : ", this node left the cluster") + ")";
    }
    loggedReady = ready;
    if (line != null) {
      out.println(line);
      out.flush();
    }
  }
}
