/**
 * JMH benchmarks of the CPU reference engine. {@link io.epruntime.bench.HtDispatchCombineBenchmark}
 * times HT dispatch, combine and both next to a plain copy of the same rows;
 * {@link io.epruntime.bench.CpuBenchReport} runs it and writes {@code bench/results/cpu-ht-*.json}.
 */
package io.epruntime.bench;
