package io.epruntime.cli.node;

import java.io.PrintWriter;

/**
 * Turns the node's status board into log lines a person reads at a glance: one when the world
 * becomes Ready (this rank is in the generation the coordinator declared Ready), one per generation
 * change, one when the generation ends, one when this node leaves the cluster. Repeated board writes
 * with nothing new print nothing.
 */
final class StateLine {
  private final int rank;
  private final int worldSize;
  private final PrintWriter out;
  private long loggedGeneration;
  private boolean loggedReady;
  private boolean wasUp;

  StateLine(int rank, int worldSize, PrintWriter out) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.out = out;
  }

  synchronized void update(boolean memberUp, long joinedGeneration, long readyGeneration) {
    boolean ready = readyGeneration > 0 && readyGeneration == joinedGeneration;
    if (ready && (!loggedReady || readyGeneration != loggedGeneration)) {
      print(loggedGeneration == 0
          ? "world Ready, generation " + readyGeneration + ", " + worldSize + " ranks"
          : "generation " + loggedGeneration + " -> " + readyGeneration + ", world Ready again");
      loggedGeneration = readyGeneration;
    } else if (!ready && loggedReady) {
      print("world not Ready (generation " + loggedGeneration + " ended)");
    }
    loggedReady = ready;
    if (wasUp && !memberUp) {
      print("this node left the cluster");
    }
    wasUp = memberUp;
  }

  private void print(String what) {
    out.println("ep node: rank " + rank + ": " + what);
    out.flush();
  }
}
