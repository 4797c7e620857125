package io.procwatch.read;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why an input could not be read, in words: never {@code null} and never just the path (which the message already
 * names), which is what {@link Throwable#getMessage()} of a file system exception often is.
 */
public final class IoReason {

    private IoReason() {
    }

    public static String of(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return of(u.getCause());
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String first = m.lines().findFirst().orElse(m);
        return e instanceof java.io.IOException ? first : e.getClass().getSimpleName() + ": " + first;
    }
}
