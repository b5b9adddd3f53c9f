package io.epruntime.cli.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StateLineTest {

  @Test
  void logsReadyOnceThenEveryGenerationChange() {
    StringWriter sink = new StringWriter();
    StateLine line = new StateLine(2, 4, new PrintWriter(sink));
    line.update(false, 0, 0);
    line.update(true, 0, 0);
    line.update(true, 1, 0);
    line.update(true, 1, 1);
    line.update(true, 1, 1);
    line.update(true, 2, 1);
    line.update(true, 2, 2);
    line.update(false, 2, 2);
    assertEquals(String.join(System.lineSeparator(),
        "ep node: rank 2: world Ready, generation 1, 4 ranks",
        "ep node: rank 2: world not Ready (generation 1 ended)",
        "ep node: rank 2: generation 1 -> 2, world Ready again",
        "ep node: rank 2: this node left the cluster",
        ""), sink.toString());
  }

  @Test
  void readyIsLoggedEvenBeforeThisNodeSeesItselfUp() {
    StringWriter sink = new StringWriter();
    StateLine line = new StateLine(3, 4, new PrintWriter(sink));
    line.update(false, 1, 1);
    line.update(true, 1, 1);
    assertEquals("ep node: rank 3: world Ready, generation 1, 4 ranks" + System.lineSeparator(), sink.toString());
  }
}
