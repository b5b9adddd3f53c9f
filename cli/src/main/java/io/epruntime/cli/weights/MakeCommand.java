package io.epruntime.cli.weights;

import io.epruntime.protocol.EpArgumentException;
import io.epruntime.weights.CheckpointSpec;
import io.epruntime.weights.CheckpointWriter;
import io.epruntime.weights.ModelFamily;
import io.epruntime.weights.TensorDType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ep weights make}: writes a checkpoint in exactly a family's layout with seeded weights,
 * for tests and local runs that must not download a model.
 */
@Command(
    name = "make",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Write a checkpoint in a model family's exact Hugging Face layout: config.json,",
      "safetensors shards and, for --shards > 1, model.safetensors.index.json, with",
      "seeded weights scaled like an initialised model. The loader reads it as it",
      "reads a real checkpoint; nothing is downloaded."
    })
public final class MakeCommand implements Callable<Integer> {

  @Option(names = "--like", required = true, converter = FamilyConverter.class, completionCandidates = FamilyNames.class,
      description = "Model family: ${COMPLETION-CANDIDATES}; deepseek means deepseek-v3.")
  ModelFamily family;

  @Option(names = "--layers", defaultValue = "2", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--dense-layers", defaultValue = "0",
      description = "The first this many layers get a dense MLP instead of experts (qwen*, deepseek*; default: ${DEFAULT-VALUE}).")
  int denseLayers;

  @Option(names = "--experts", defaultValue = "16", description = "Routed experts per MoE layer (default: ${DEFAULT-VALUE}).")
  int experts;

  @Option(names = "--hidden", defaultValue = "256", description = "Hidden size (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--intermediate", defaultValue = "512", description = "One expert's intermediate size (default: ${DEFAULT-VALUE}).")
  int intermediate;

  @Option(names = "--topk", defaultValue = "4", description = "Experts per token, num_experts_per_tok (default: ${DEFAULT-VALUE}).")
  int topk;

  @Option(names = "--seed", defaultValue = "1", description = "The weights are a pure function of it (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dtype", defaultValue = "bf16", converter = DTypeConverter.class,
      description = "bf16, fp16 or fp32 (default: ${DEFAULT-VALUE}).")
  TensorDType dtype;

  @Option(names = "--shards", defaultValue = "1", description = "Safetensors files; > 1 adds the index (default: ${DEFAULT-VALUE}).")
  int shards;

  @Option(names = "--out", required = true, description = "Directory to write; must be new or empty.")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    CheckpointSpec checkpoint = new CheckpointSpec(family, layers, denseLayers, experts, hidden, intermediate, topk, seed, dtype, shards);
    CheckpointWriter.Written written = CheckpointWriter.write(checkpoint, out);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf("ep weights make: wrote %s: %s, %d layers (%d with experts), E %d, H %d, I %d, K %d, %s, seed %d;"
            + " %d tensors, %d bytes in %d safetensors file(s)%n",
        out, family.cliName(), layers, layers - denseLayers, experts, hidden, intermediate, topk, dtype.cliName(), seed,
        written.tensors(), written.bytes(), shards);
    stdout.flush();
    return 0;
  }

  /**
   * A converter over one of our parsers: picocli already names the option ("Invalid value for
   * option '--like': ..."), so the message keeps only what follows the argument's name.
   */
  private abstract static class ParsingConverter<T> implements ITypeConverter<T> {
    abstract T parse(String value);

    @Override
    public T convert(String value) {
      try {
        return parse(value);
      } catch (EpArgumentException e) {
        String prefix = e.argument() + ": ";
        String message = e.getMessage();
        throw new TypeConversionException(message.startsWith(prefix) ? message.substring(prefix.length()) : message);
      }
    }
  }

  /** {@code --like}: a family's CLI name, its model_type, or deepseek. */
  static final class FamilyConverter extends ParsingConverter<ModelFamily> {
    @Override
    ModelFamily parse(String value) {
      return ModelFamily.parse("--like", value);
    }
  }

  static final class DTypeConverter extends ParsingConverter<TensorDType> {
    @Override
    TensorDType parse(String value) {
      return TensorDType.parseExpertType("--dtype", value);
    }
  }

  static final class FamilyNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(ModelFamily.values()).map(ModelFamily::cliName).iterator();
    }
  }
}
