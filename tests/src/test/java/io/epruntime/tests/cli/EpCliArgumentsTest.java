package io.epruntime.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epruntime.cli.cluster.GpuProbe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CLI's argument errors, in-process through picocli: each is exit 2 (4 for the environment)
 * with one line on stderr that names the flag and what is allowed, and nothing is started.
 */
class EpCliArgumentsTest {

  private static void assertOneLine(CliResult r) {
    assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r);
    assertEquals("", r.out(), r.toString());
  }

  @Test
  void unknownFlagSuggestsTheNearestOne() {
    CliResult r = CliResult.run("run", "--stesp", "3");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("ep run: Unknown options: '--stesp', '3' (did you mean --steps"), r.toString());
    assertTrue(r.err().contains("see 'ep run --help'"), r.toString());
    assertOneLine(r);
  }

  @Test
  void badModeNamesTheAllowedValues() {
    CliResult r = CliResult.run("run", "--mode", "fast");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("'--mode': expected one of [auto, ht, ll]"), r.toString());
    assertOneLine(r);
  }

  @Test
  void badKernelAndBackendNameTheAllowedValues() {
    CliResult kernel = CliResult.run("run", "--expert-kernel", "gelu");
    assertEquals(2, kernel.exitCode(), kernel.toString());
    assertTrue(kernel.err().contains("expected one of [identity, scale, swiglu]"), kernel.toString());
    CliResult backend = CliResult.run("run", "--backend", "cuda");
    assertEquals(2, backend.exitCode(), backend.toString());
    assertTrue(backend.err().contains("expected one of [auto, cpu, nccl]"), backend.toString());
  }

  @Test
  void badDtypeNamesTheAllowedValues() {
    CliResult r = CliResult.run("run", "--dtype", "fp16");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("'fp16' is not a dtype; allowed: bf16, fp32, fp8-e4m3"), r.toString());
    assertOneLine(r);
  }

  @Test
  void notANumberIsAUsageError() {
    CliResult r = CliResult.run("run", "--steps", "many");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("'--steps'") && r.err().contains("'many' is not an int"), r.toString());
  }

  @Test
  void inconsistentShapeIsAUsageError() {
    CliResult r = CliResult.run("run", "--ranks", "4", "--experts", "10");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("ep run: --experts = 10 is not a multiple of --ranks = 4; every rank holds E/N experts", r.err().strip());
    CliResult steps = CliResult.run("run", "--steps", "0");
    assertEquals(2, steps.exitCode(), steps.toString());
    assertEquals("ep run: --steps = 0 is not allowed; allowed: >= 1", steps.err().strip());
  }

  @Test
  void ncclWithoutAGpuIsAnEnvironmentError() {
    assumeTrue(GpuProbe.visibleGpus() == 0, "this machine has a GPU");
    CliResult r = CliResult.run("run", "--backend", "nccl");
    assertEquals(4, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("ep run: --backend nccl needs a GPU but none is visible on this machine"), r.toString());
    assertOneLine(r);
  }

  @Test
  void aPortInUseIsAnEnvironmentErrorNamingIt(@TempDir Path runDir) throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();
      CliResult r = CliResult.run("run", "--backend", "cpu", "--ranks", "2", "--experts", "4", "--base-port", Integer.toString(port),
          "--run-dir", runDir.toString());
      assertEquals(4, r.exitCode(), r.toString());
      assertTrue(r.err().contains("TCP port 127.0.0.1:" + port + " (rank 0 Pekko remoting) is in use"), r.toString());
      assertTrue(r.err().contains("--base-port 0 to pick free ports"), r.toString());
    }
  }

  @Test
  void statusNeedsAGatewayOfTheFormHostPort() {
    CliResult missing = CliResult.run("status");
    assertEquals(2, missing.exitCode(), missing.toString());
    assertTrue(missing.err().contains("Missing required option: '--gateway=HOST:PORT'"), missing.toString());
    CliResult bad = CliResult.run("status", "--gateway", "localhost");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.err().contains("--gateway = localhost is not HOST:PORT"), bad.toString());
  }

  @Test
  void noCommandIsAUsageError() {
    CliResult r = CliResult.run();
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("a command is required: run, cluster, node, status, bench, weights, keygen, chaos or help"), r.toString());
  }

  /** Each subcommand's help lists the exit codes it can end with, and only those. */
  @ParameterizedTest
  @CsvSource({"run, 4   environment problem", "bench, 4   environment problem", "node, 255   downed by the cluster",
      "status, 3   no gateway answered",
      "cluster, 2   usage error: a subcommand"})
  void everySubcommandHasHelpWithItsOwnExitCodes(String command, String line) {
    CliResult r = CliResult.run(command, "--help");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("Usage: ep " + command), r.toString());
    assertTrue(r.out().contains("Exit codes:") && r.out().contains(line), r.toString());
    if (!command.equals("run") && !command.equals("bench")) {
      assertFalse(r.out().contains("matched the CPU reference"), "run's exit codes are not " + command + "'s:\n" + r);
    }
  }
}
