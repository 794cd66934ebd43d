#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript, spark.worker.resource.gpu.discoveryScript,
# spark.driver.resource.gpu.discoveryScript): prints the GPUs of this node as Spark's ResourceInformation JSON,
#   {"name": "gpu", "addresses": ["0", "1"]}
# using nvidia-smi's indices. Where CUDA_VISIBLE_DEVICES is set (a container runtime or YARN gave this process a
# subset), only those devices are listed, by their nvidia-smi index.
# Exits non-zero with a message on stderr when nvidia-smi is missing or fails, so that Spark refuses to start a
# GPU executor on a node without usable GPUs instead of running it without one.
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi not found on $(hostname); cannot discover GPUs" >&2
  exit 1
fi

indices=$(nvidia-smi --query-gpu=index --format=csv,noheader,nounits) || {
  echo "gpu-discovery.sh: nvidia-smi failed on $(hostname)" >&2
  exit 1
}

if [[ -n "${CUDA_VISIBLE_DEVICES:-}" && "${CUDA_VISIBLE_DEVICES}" =~ ^[0-9,[:space:]]+$ ]]; then
  visible=" $(echo "${CUDA_VISIBLE_DEVICES}" | tr ',' ' ') "
  filtered=""
  for i in ${indices}; do
    if [[ "${visible}" == *" ${i} "* ]]; then filtered="${filtered} ${i}"; fi
  done
  indices="${filtered}"
fi

addresses=""
for i in ${indices}; do
  i=$(echo "${i}" | tr -d '[:space:]')
  [[ -z "${i}" ]] && continue
  addresses="${addresses:+${addresses}, }\"${i}\""
done

echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
