package io.epruntime.weights;

/**
 * Which experts one rank holds and what they weigh: experts
 * {@code [firstExpert, firstExpert + expertCount)} of every MoE layer of {@code config}.
 *
 * @param dtype the dtype every one of the rank's expert matrices has
 * @param bytes what the matrices occupy in that dtype, as mapped
 */
public record ExpertShare(MoeConfig config, int rank, int firstExpert, int expertCount, TensorDType dtype, long bytes) {

  /** What the matrices occupy once widened to fp32, as the CPU reference keeps them ({@link TensorView#toFloatBuffer()}). */
  public long bytesAsFp32() {
    return bytes / dtype.bytesPerElement() * Float.BYTES;
  }

  /** The global expert ids held, as {@code first..last}, for messages. */
  String range() {
    return firstExpert + ".." + (firstExpert + expertCount - 1);
  }
}
