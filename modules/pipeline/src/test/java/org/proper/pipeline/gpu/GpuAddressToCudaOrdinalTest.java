package org.proper.pipeline.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** How Spark GPU addresses (nvidia-smi indices) map to the CUDA ordinals ND4J binds to. */
class GpuAddressToCudaOrdinalTest {

    @Test
    void addressIsTheOrdinalWhenCudaVisibleDevicesIsUnset() {
        assertEquals(3, GpuBinding.cudaOrdinal("3", null));
        assertEquals(0, GpuBinding.cudaOrdinal(" 0 ", ""));
    }

    @Test
    void addressListedInCudaVisibleDevicesMapsToItsPosition() {
        assertEquals(1, GpuBinding.cudaOrdinal("5", "4,5,6"));
        assertEquals(0, GpuBinding.cudaOrdinal("4", "4, 5"));
    }

    @Test
    void addressAlreadyRenumberedBelowTheVisibleCountIsKept() {
        assertEquals(0, GpuBinding.cudaOrdinal("0", "3"));
    }

    @Test
    void addressOutsideTheVisibleDevicesIsRejectedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GpuBinding.cudaOrdinal("7", "2,3"));
        assertTrue(e.getMessage().contains("7") && e.getMessage().contains("CUDA_VISIBLE_DEVICES=2,3"), e.getMessage());
    }

    @Test
    void nonNumericAddressIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> GpuBinding.cudaOrdinal("GPU-1234", null));
        assertThrows(IllegalArgumentException.class, () -> GpuBinding.cudaOrdinal(null, null));
    }

    @Test
    void bindingOutsideASparkTaskIsANoOp() {
        assertEquals(Optional.empty(), GpuBinding.assignedGpuAddress());
        assertEquals(Optional.empty(), GpuBinding.bindCurrentTask());
    }
}
