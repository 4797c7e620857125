package io.procwatch.read.evtx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the shared sample data: {@code -Dprocwatch.shared}, else {@code ../shared}; tests skip visibly without it. */
final class SharedDatasets {

    private SharedDatasets() {
    }

    static Path datasets() {
        return Path.of(System.getProperty("procwatch.shared", "../shared")).resolve("datasets");
    }

    /** Skips the calling test, with a line on stderr, when the datasets are not installed. */
    static Path requireDatasets() {
        Path datasets = datasets();
        boolean present = Files.isRegularFile(datasets.resolve("MANIFEST.tsv"));
        if (!present) {
            System.err.println("SKIPPED: shared datasets not found at " + datasets.toAbsolutePath()
                    + " (set -Dprocwatch.shared)");
        }
        assumeTrue(present, "shared datasets not found at " + datasets.toAbsolutePath());
        return datasets;
    }

    /** Every sample EVTX file, sorted by path. */
    static List<Path> evtxFiles() {
        Path datasets = requireDatasets();
        try (Stream<Path> walk = Files.walk(datasets)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".evtx"))
                    .filter(p -> {
                        String rel = datasets.relativize(p).toString();
                        return rel.startsWith("evtx-samples") || rel.startsWith("sigma-regression");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
