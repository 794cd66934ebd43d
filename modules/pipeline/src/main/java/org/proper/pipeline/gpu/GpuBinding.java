package org.proper.pipeline.gpu;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binds the calling Spark task's thread to the GPU that Spark's resource scheduler gave the task
 * ({@code spark.task.resource.gpu.amount}, see conf/gpu.conf and bin/gpu-discovery.sh).
 *
 * <p>Every pipeline task that runs the model calls {@link #bindCurrentTask()} first (LocalSgd rounds, group warm
 * start, user training, evaluation), before any ND4J array is created. It is a no-op (returns empty) when not inside a
 * task, when the task got no GPU, or when ND4J runs its CPU backend, so the same training code runs on CPU and GPU
 * executors.
 *
 * <p>Spark's GPU addresses are what the discovery script printed: {@code nvidia-smi}'s physical indices. CUDA (and
 * so ND4J) numbers devices among those listed in {@code CUDA_VISIBLE_DEVICES}, when that is set (YARN and Kubernetes
 * device plugins set it per container); {@link #cudaOrdinal} maps one to the other.
 */
public final class GpuBinding {

    /** Spark's resource name for GPUs (spark.executor.resource.gpu.*). */
    public static final String GPU_RESOURCE = "gpu";

    private GpuBinding() {}

    /**
     * Binds this task's thread to its GPU through {@code Nd4j.getAffinityManager().unsafeSetDevice}.
     *
     * @return the CUDA device ordinal the thread is now bound to, or empty when nothing was bound (CPU backend, no GPU
     *     assigned, not in a Spark task)
     * @throws IllegalStateException when the task's GPU address does not name a device ND4J can see
     */
    public static Optional<Integer> bindCurrentTask() {
        Optional<String> address = assignedGpuAddress();
        if (address.isEmpty() || Nd4j.getEnvironment().isCPU()) {
            return Optional.empty();
        }
        int ordinal = cudaOrdinal(address.get(), System.getenv("CUDA_VISIBLE_DEVICES"));
        int devices = Nd4j.getAffinityManager().getNumberOfDevices();
        if (ordinal >= devices) {
            throw new IllegalStateException("Cannot bind task to GPU address " + address.get() + ": it maps to CUDA device "
                    + ordinal + " but ND4J sees only " + devices + " device(s)");
        }
        Nd4j.getAffinityManager().unsafeSetDevice(ordinal);
        return Optional.of(ordinal);
    }

    /** The first GPU address Spark assigned to the running task, or empty outside a task or without GPUs. */
    public static Optional<String> assignedGpuAddress() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return Optional.empty();
        }
        Map<String, ResourceInformation> resources = task.resourcesJMap();
        ResourceInformation gpu = resources == null ? null : resources.get(GPU_RESOURCE);
        if (gpu == null || gpu.addresses().length == 0) {
            return Optional.empty();
        }
        return Optional.of(gpu.addresses()[0].trim());
    }

    /**
     * Maps a Spark GPU address (a physical index from the discovery script) to the CUDA device ordinal inside this
     * process: its position in {@code CUDA_VISIBLE_DEVICES} when it is listed there, else the address itself (when no
     * such variable is set, or when the discovery script already saw only the visible devices, numbered from 0).
     *
     * @param sparkAddress the address, e.g. "2"
     * @param cudaVisibleDevices the value of CUDA_VISIBLE_DEVICES, may be null or blank
     * @throws IllegalArgumentException when the address is not a device index or not among the visible devices
     */
    public static int cudaOrdinal(String sparkAddress, String cudaVisibleDevices) {
        if (sparkAddress == null || !sparkAddress.trim().matches("\\d+")) {
            throw new IllegalArgumentException(
                    "Cannot use GPU address '" + sparkAddress + "': expected a device index as printed by nvidia-smi");
        }
        String address = sparkAddress.trim();
        if (cudaVisibleDevices == null || cudaVisibleDevices.isBlank()) {
            return Integer.parseInt(address);
        }
        List<String> visible = List.of(cudaVisibleDevices.trim().split("\\s*,\\s*"));
        int position = visible.indexOf(address);
        if (position >= 0) {
            return position;
        }
        int index = Integer.parseInt(address);
        if (index < visible.size()) {
            // the discovery script ran where only the visible devices exist, already numbered 0..n-1 (container runtimes)
            return index;
        }
        throw new IllegalArgumentException("Cannot use GPU address " + address + ": it is neither among CUDA_VISIBLE_DEVICES="
                + cudaVisibleDevices + " nor below their count");
    }
}
