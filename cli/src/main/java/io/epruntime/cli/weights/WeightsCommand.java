package io.epruntime.cli.weights;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ep weights}: checkpoints of expert weights; {@code make} generates one in a model family's layout. */
@Command(
    name = "weights",
    mixinStandardHelpOptions = true,
    description = "Expert-weight checkpoints (Hugging Face safetensors layouts).",
    subcommands = {MakeCommand.class, CommandLine.HelpCommand.class})
public final class WeightsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: make or help");
  }
}
