package io.epruntime.cli.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.epruntime.client.ClusterStatus;
import io.epruntime.client.RankStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusViewTest {
  private final ClusterStatus status = new ClusterStatus(3, "Ready", 2,
      List.of(new RankStatus(0, "pekko://ep@127.0.0.1:17355", "healthy", 41), new RankStatus(1, "pekko://ep@127.0.0.1:17356", "idle", -1)),
      2, 40);

  @Test
  void tableListsWorldStepsAndEveryRank() {
    assertEquals(String.join("\n",
        "world       Ready, generation 3, 2 ranks",
        "steps       2 in flight, 40 completed",
        "",
        "rank   address                     health   last step",
        "0      pekko://ep@127.0.0.1:17355  healthy  41",
        "1      pekko://ep@127.0.0.1:17356  idle     -",
        ""), StatusView.table(status).replace(System.lineSeparator(), "\n"));
  }

  @Test
  void jsonIsOneLineWithRanks() {
    assertEquals("{\"world_state\":\"Ready\",\"generation\":3,\"world_size\":2,\"steps_in_flight\":2,\"steps_completed\":40,"
        + "\"ranks\":[{\"rank\":0,\"address\":\"pekko://ep@127.0.0.1:17355\",\"health\":\"healthy\",\"last_seq\":41},"
        + "{\"rank\":1,\"address\":\"pekko://ep@127.0.0.1:17356\",\"health\":\"idle\",\"last_seq\":-1}]}", StatusView.json(status));
  }
}
