package io.procwatch.read;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Opens every input a run names: files, directories (recursively, in name order so runs are reproducible),
 * and containers ({@code .gz}, {@code .zip}, {@code .tar.gz}, nested), deciding each one's format from its
 * content and handing it to the reader for that format.
 *
 * <p>A file named explicitly that is not event data is a failure; one met while walking a directory or
 * container is skipped and reported, so a dataset folder with READMEs and YAML in it scans cleanly.
 */
public final class InputWalker {

    /** The input name that stands for standard input ({@code scan -}), as its records' source. */
    public static final String STDIN = "-";

    private final Map<InputFormat, Supplier<EventReader>> readers = new EnumMap<>(InputFormat.class);

    /** @param evtxReader supplies the reader for binary EVTX logs */
    public InputWalker(Supplier<EventReader> evtxReader) {
        readers.put(InputFormat.XML, XmlEventReader::new);
        readers.put(InputFormat.JSON, JsonEventReader::new);
        readers.put(InputFormat.EVTX, evtxReader);
        readers.put(InputFormat.CLASSIC, ClassicWinEventLogReader::new);
    }

    /**
     * One file to read: named on the command line, or found in a directory (then a file that is not event data
     * is skipped rather than failed).
     */
    public record Input(Path path, boolean named) {
        /** The name events of this input carry as {@link Origin#source()} (members add {@code !member}). */
        public String source() {
            return path.toString();
        }
    }

    /** Reads every path in order; problems go to the listener, records to the sink. Never throws for bad input. */
    public void walk(List<Path> paths, RecordSink sink, InputListener listener) {
        for (Input input : expand(paths, listener)) {
            read(input, sink, listener);
        }
    }

    /** The files the paths stand for, in reading order: directories recursively, in name order. */
    public static List<Input> expand(List<Path> paths, InputListener listener) {
        List<Input> out = new java.util.ArrayList<>();
        for (Path p : paths) {
            if (p.toString().equals(STDIN) || !Files.isDirectory(p)) {
                out.add(new Input(p, true));
                continue;
            }
            try (Stream<Path> s = Files.walk(p)) {
                s.filter(Files::isRegularFile).sorted().forEach(f -> out.add(new Input(f, false)));
            } catch (IOException | java.io.UncheckedIOException e) {
                listener.inputFailed(p.toString(), "cannot list directory: " + e.getMessage());
            }
        }
        return out;
    }

    /** Reads one input (a file, with any containers inside it). */
    public void read(Input input, RecordSink sink, InputListener listener) {
        readFile(input.path(), input.named(), sink, listener);
    }

    private void readFile(Path file, boolean named, RecordSink sink, InputListener listener) {
        String source = file.toString();
        if (source.equals(STDIN)) {
            try (InputStream in = new CountingStream(new NonClosing(System.in), listener)) {
                readStream(in, source, named, sink, listener);
            } catch (IOException e) {
                listener.inputFailed(source, "cannot read standard input: " + e.getMessage());
            }
            return;
        }
        if (!Files.exists(file)) {
            listener.inputFailed(source, "no such file or directory");
            return;
        }
        try (InputStream in = new CountingStream(Files.newInputStream(file), listener)) {
            readStream(in, source, named, sink, listener);
        } catch (IOException e) {
            listener.inputFailed(source, "cannot read: " + e.getMessage());
        }
    }

    /** Reads one stream of any format; containers recurse with {@code source!member} names. */
    void readStream(InputStream raw, String source, boolean named, RecordSink sink, InputListener listener)
            throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        InputFormat format = sniff(in);
        switch (format) {
            case GZIP -> {
                InputStream inner = new java.util.zip.GZIPInputStream(in, 1 << 16);
                readStream(inner, source, named, sink, listener);
            }
            case ZIP -> readArchive(new ZipArchiveInputStream(in, "UTF-8", true, true), source, sink, listener);
            case TAR -> readArchive(new TarArchiveInputStream(in), source, sink, listener);
            case EMPTY -> listener.inputSkipped(source, "empty");
            case UNKNOWN -> {
                if (named) {
                    listener.inputFailed(source, "not a recognised event format (expected EVTX, Windows event XML or JSON)");
                } else {
                    listener.inputSkipped(source, "not event data");
                }
            }
            default -> {
                listener.inputStarted(source, format);
                try {
                    readers.get(format).get().read(in, source, sink);
                } catch (IOException e) {
                    listener.inputFailed(source, "read stopped: " + e.getMessage());
                }
            }
        }
    }

    private void readArchive(ArchiveInputStream<? extends ArchiveEntry> archive, String source, RecordSink sink,
                             InputListener listener) throws IOException {
        ArchiveEntry entry;
        while ((entry = archive.getNextEntry()) != null) {
            String member = source + "!" + entry.getName();
            if (entry.isDirectory()) {
                continue;
            }
            // macOS resource forks (AppleDouble), not data.
            if (entry.getName().startsWith("__MACOSX/") || entry.getName().contains("/._")) {
                listener.inputSkipped(member, "macOS metadata member");
                continue;
            }
            if (!archive.canReadEntryData(entry)) {
                listener.inputFailed(member, "archive member cannot be read (unsupported compression or encryption)");
                continue;
            }
            readStream(new NonClosing(archive), member, false, sink, listener);
        }
    }

    private static InputFormat sniff(BufferedInputStream in) throws IOException {
        in.mark(InputFormat.SNIFF_BYTES);
        byte[] head = new byte[InputFormat.SNIFF_BYTES];
        int n = in.readNBytes(head, 0, head.length);
        in.reset();
        return InputFormat.sniff(head, n);
    }

    /** Keeps a reader from closing the archive when it closes a member. */
    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    /** Reports bytes read from disk for the progress bar. */
    private static final class CountingStream extends FilterInputStream {
        private final InputListener listener;

        CountingStream(InputStream in, InputListener listener) {
            super(in);
            this.listener = listener;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                listener.bytesRead(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                listener.bytesRead(n);
            }
            return n;
        }
    }
}
