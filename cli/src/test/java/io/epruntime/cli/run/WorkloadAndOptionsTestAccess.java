package io.epruntime.cli.run;

/** Test options for other packages' tests. */
public final class WorkloadAndOptionsTestAccess {
  private WorkloadAndOptionsTestAccess() {}

  public static RunOptions world() {
    return WorkloadAndOptionsTest.options(2, 4, 16, RunOptions.Mode.auto);
  }
}
