package io.procwatch.cli;

import io.procwatch.read.InputListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A progress bar over the bytes of the input files, on stderr, shown only when stderr is a terminal. */
final class ProgressDisplay implements InputListener, AutoCloseable {

    private final ProgressBar bar;

    private ProgressDisplay(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar when {@code enabled} and a console is attached, else a silent listener. */
    static ProgressDisplay open(List<Path> inputs, boolean enabled) {
        if (!enabled || !stderrIsTerminal()) {
            return new ProgressDisplay(null);
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("scan")
                .setInitialMax(totalBytes(inputs))
                .setUnit(" MiB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .showSpeed()
                .build();
        return new ProgressDisplay(bar);
    }

    /**
     * Whether stderr is a terminal. {@code System.console()} says no as soon as stdout is redirected, which is how
     * a scan usually runs ({@code scan … > notables.json}), so ask the C library (JLine's native binding).
     */
    static boolean stderrIsTerminal() {
        try {
            return org.jline.nativ.CLibrary.isatty(2) == 1;
        } catch (Throwable t) {
            return System.console() != null;
        }
    }

    private static long totalBytes(List<Path> inputs) {
        long total = 0;
        for (Path p : inputs) {
            try (Stream<Path> s = Files.walk(p)) {
                total += s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            } catch (IOException | RuntimeException e) {
                // Missing inputs are reported by the scan itself.
            }
        }
        return total;
    }

    @Override
    public void bytesRead(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
