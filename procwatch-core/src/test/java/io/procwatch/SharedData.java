package io.procwatch;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared/datasets} (system property {@code procwatch.shared}, set by the pom, else
 * {@code ../shared}). Tests that need it call {@link #require}, which skips them with a visible notice
 * when the datasets are not beside the clone.
 */
public final class SharedData {

    private SharedData() {
    }

    /** The shared folder, whether or not it exists. */
    public static Path root() {
        return Path.of(System.getProperty("procwatch.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** {@code shared/datasets/<relative>}, or skips the calling test with a notice on stderr. */
    public static Path require(String relative) {
        Path p = root().resolve("datasets").resolve(relative);
        if (!Files.exists(p)) {
            System.err.println("NOTICE: skipping, shared dataset not found: " + p
                    + " (put the shared/ folder beside the clone to run this test)");
        }
        Assumptions.assumeTrue(Files.exists(p), "shared dataset not found: " + p);
        return p;
    }
}
