/**
 * {@code ep bench}: end-to-end suites on a local cluster, their results files
 * ({@code bench/results/*.json}) and charts ({@code bench/plot/*.svg|png}) drawn without a plotting
 * library ({@link io.epruntime.cli.bench.LineChart} on an SVG or Java2D canvas).
 */
package io.epruntime.cli.bench;
