package org.proper.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.proper.common.ProperConfig;

class SparkSessionsTest {
    /** Creates the run's session with the LAPACK property as given (null: unset), stops it, returns the property then. */
    private static String lapackAfterCreate(String given) {
        String before = System.getProperty(SparkSessions.LAPACK_LIBRARY);
        try {
            if (given == null) System.clearProperty(SparkSessions.LAPACK_LIBRARY);
            else System.setProperty(SparkSessions.LAPACK_LIBRARY, given);
            SparkSession spark = SparkSessions.create(ProperConfig.defaults());
            spark.stop();
            return System.getProperty(SparkSessions.LAPACK_LIBRARY);
        } finally {
            if (before == null) System.clearProperty(SparkSessions.LAPACK_LIBRARY);
            else System.setProperty(SparkSessions.LAPACK_LIBRARY, before);
        }
    }

    @Test
    void theDriverUsesMllibsJavaLapackUnlessTheUserNamesANativeLibrary() {
        assertEquals(SparkSessions.JAVA_LAPACK_ONLY, lapackAfterCreate(null));
        assertEquals("libmylapack.so.3", lapackAfterCreate("libmylapack.so.3"));
    }
}
