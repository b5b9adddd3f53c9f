/**
 * Expert weights from Hugging Face safetensors checkpoints: one rank's experts of every MoE layer,
 * memory-mapped and read-only, checked whole before anything is mapped; and a generator of
 * checkpoints in the same layouts with seeded weights.
 *
 * <pre>
 *  checkpoint dir
 *  ├── config.json ─────────────────── MoeConfig (family by model_type; E, H, I, K, MoE layers) ── vs EpConfig
 *  ├── model.safetensors.index.json ── CheckpointFiles (tensor → shard; every shard must exist)
 *  └── model-0000k-of-0000N.safetensors ── SafetensorsFile (header checked; tensors mapped one by one)
 *
 *  CheckpointLoader.plan(dir, world, rank) ──▶ LoadPlan (names, shapes, dtypes, bytes) ──load(budget)──▶ LocalExperts
 *       experts [r*E/N, (r+1)*E/N) of each MoE layer                        ExpertWeights(gate, up, down): TensorView
 *
 *  CheckpointSpec ──CheckpointWriter──▶ the same layout, GeneratedWeights(seed, name, index)
 * </pre>
 *
 * A {@link io.epruntime.weights.ModelFamily} is one {@link io.epruntime.weights.ExpertNaming}
 * plus its config keys; adding one is a constant. Every refusal is a
 * {@link io.epruntime.weights.CheckpointException} naming the file and the tensor.
 */
package io.epruntime.weights;
