/**
 * GPU ownership through JCuda's driver API: {@link io.epruntime.rank.gpu.GpuProbe} decides whether a
 * GPU is usable (catching every JCuda load failure), {@link io.epruntime.rank.gpu.GpuDevice} owns one
 * device on one thread (primary context current there), its buffers, streams and events, and hands
 * device addresses to native-ep as plain longs.
 *
 * <pre>
 *   GpuProbe.probe() ──no──▶ cpu backend ("no GPU: reason")
 *        │yes
 *        ▼
 *   GpuDevice (thread "ep-gpu-N", primary context) ──alloc/stream/copies──▶ native-ep EpGroup
 * </pre>
 */
package io.epruntime.rank.gpu;
