/**
 * {@code ep weights}: expert-weight checkpoints. {@code make} turns flags into a
 * {@link io.epruntime.weights.CheckpointSpec} and writes it with
 * {@link io.epruntime.weights.CheckpointWriter}, the generator the loader's tests use.
 */
package io.epruntime.cli.weights;
