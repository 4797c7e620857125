package io.procwatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks the files a command will write before any work is done, so a wrong {@code -o} is a usage error in one line
 * (exit 2) rather than an internal error after the scan.
 */
final class OutputPaths {

    private OutputPaths() {
    }

    /**
     * The first problem with the given outputs ({@code path, option name} pairs; null paths are skipped), as one
     * line naming the option and the path, or null when each can be written.
     */
    static String problem(Object... pathsAndOptions) {
        for (int i = 0; i + 1 < pathsAndOptions.length; i += 2) {
            Path p = (Path) pathsAndOptions[i];
            if (p == null) {
                continue;
            }
            String option = (String) pathsAndOptions[i + 1];
            String why = problem(p);
            if (why != null) {
                return option + " " + p + ": " + why;
            }
        }
        return null;
    }

    private static String problem(Path p) {
        if (Files.isDirectory(p)) {
            return "is a directory (name a file)";
        }
        if (Files.exists(p)) {
            return Files.isWritable(p) ? null : "cannot be written (permission denied)";
        }
        Path parent = p.toAbsolutePath().getParent();
        // The nearest existing ancestor decides: the scan creates missing folders under it.
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null) {
            return "cannot be created";
        }
        if (!Files.isDirectory(parent)) {
            return parent + " is not a directory";
        }
        return Files.isWritable(parent) ? null : "cannot be created in " + parent + " (permission denied)";
    }
}
