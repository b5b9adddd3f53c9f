#!/usr/bin/env bash
# Builds libnative-ep.so with CMake and puts it where the jar packages it. Called by Maven
# (process-classes, after javac -h wrote the JNI headers), together with the native benchmark, so
# every native source compiles on every build. Without nvcc it says so and skips.
#   build-native.sh <module dir> <build dir> <jni headers dir> <classes dir> <java home> <cuda archs>
set -euo pipefail
module=$1 build=$2 headers=$3 classes=$4 java_home=$5 archs=$6

nvcc_bin=$(command -v nvcc || true)
if [[ -z "$nvcc_bin" && -x /usr/local/cuda/bin/nvcc ]]; then nvcc_bin=/usr/local/cuda/bin/nvcc; fi
if [[ -z "$nvcc_bin" ]]; then
  echo "[native-ep] nvcc not found: skipping native compilation; the jar carries no libnative-ep.so and the nccl backend reports itself unavailable"
  exit 0
fi
if ! command -v cmake >/dev/null; then
  echo "[native-ep] nvcc found but cmake is missing: install cmake >= 3.24 to build native-ep" >&2
  exit 1
fi

echo "[native-ep] building with $nvcc_bin for CUDA architectures $archs"
export JAVA_HOME="$java_home"
cmake -S "$module" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$nvcc_bin" \
  -DEP_CUDA_ARCHS="$archs" -DEP_JNI_HEADERS="$headers" -DEP_BUILD_BENCH="${EP_BUILD_BENCH:-ON}" >"$build.cmake.log" 2>&1 \
  || { cat "$build.cmake.log" >&2; exit 1; }
cmake --build "$build" -j "${EP_NATIVE_JOBS:-2}"
mkdir -p "$classes/native/linux-x86_64"
cp "$build/libnative-ep.so" "$classes/native/linux-x86_64/libnative-ep.so"
echo "[native-ep] packaged $(du -h "$classes/native/linux-x86_64/libnative-ep.so" | cut -f1) libnative-ep.so"
