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

/**
 * Opens every input a run names: files, directories (recursively, in name order so runs are reproducible),
 * and containers ({@code .gz}, {@code .zip}, {@code .tar.gz}, nested), deciding each one's format from its
 * content and handing it to the reader for that format.
 *
 * <p>A file named explicitly that is not event data is a failure; one met while walking a directory or
 * container is skipped and reported, so a dataset folder with READMEs and YAML in it scans cleanly.
 *
 * <p>Hostile or damaged input costs only itself: an unreadable entry of a directory is reported and the walk goes
 * on; pipes, FIFOs, {@code /dev/stdin} and {@code -} (standard input) are read as streams; containers nest at most
 * {@value #MAX_NESTING} deep; UTF-16 text (with a byte order mark, or recognisable without) is read as such; and a
 * reader failure of any kind ends that input with a reason, never the run.
 */
public final class InputWalker {

    /** Containers (gzip, zip, tar) inside each other at most; a 5,000-layer gzip is refused at this depth. */
    public static final int MAX_NESTING = 8;
    /** Bytes looked at to find an EVTX chunk behind a damaged or zeroed file header. */
    private static final int EVTX_PEEK = 4096 + 8;
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
            List<Path> found = new java.util.ArrayList<>();
            try {
                Files.walkFileTree(p, new DirectoryEntries(found, listener));
            } catch (IOException | RuntimeException e) {
                listener.inputFailed(p.toString(), "cannot list directory: " + IoReason.of(e));
            }
            found.stream().sorted().forEach(f -> out.add(new Input(f, false)));
        }
        return out;
    }

    /** Collects the regular files of a tree; every entry it cannot use is reported, and the walk goes on. */
    private static final class DirectoryEntries extends java.nio.file.SimpleFileVisitor<Path> {
        private final List<Path> found;
        private final InputListener listener;

        DirectoryEntries(List<Path> found, InputListener listener) {
            this.found = found;
            this.listener = listener;
        }

        @Override
        public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
            if (a.isRegularFile() || a.isSymbolicLink() && Files.isRegularFile(f)) {
                found.add(f);
            } else if (a.isSymbolicLink()) {
                if (!Files.exists(f)) {
                    listener.inputFailed(f.toString(), "cannot read: broken symbolic link");
                } else {
                    listener.inputSkipped(f.toString(), "symbolic link to a directory (not followed)");
                }
            } else if (!a.isDirectory()) {
                // A FIFO met while walking could block the run forever; name it explicitly to read it.
                listener.inputSkipped(f.toString(), "not a regular file (pipe, socket or device)");
            }
            return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
            listener.inputFailed(f.toString(), (Files.isDirectory(f) ? "cannot list directory: " : "cannot read: ")
                    + IoReason.of(e));
            return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) {
            if (e != null) {
                listener.inputFailed(d.toString(), "cannot list directory: " + IoReason.of(e));
            }
            return java.nio.file.FileVisitResult.CONTINUE;
        }
    }

    /** Reads one input (a file, with any containers inside it). */
    public void read(Input input, RecordSink sink, InputListener listener) {
        readFile(input.path(), input.named(), sink, listener);
    }

    private void readFile(Path file, boolean named, RecordSink sink, InputListener listener) {
        String source = file.toString();
        boolean stdin = source.equals(STDIN);
        if (!stdin && !Files.exists(file)) {
            listener.inputFailed(source, "no such file or directory");
            return;
        }
        try (InputStream in = new CountingStream(stdin ? new NonClosing(System.in) : Files.newInputStream(file), listener)) {
            readStream(in, source, named, sink, listener, 0);
        } catch (IOException e) {
            listener.inputFailed(source, "cannot read: " + IoReason.of(e));
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // A reader bug or exhausted memory on one input ends that input, not the run.
            listener.inputFailed(source, "read stopped: " + IoReason.of(e));
        }
    }

    /**
     * Reads one stream of any format; containers recurse with {@code source!member} names. A stream that is not
     * event data fails through the listener when {@code named}, and is skipped otherwise.
     */
    public void readStream(InputStream raw, String source, boolean named, RecordSink sink, InputListener listener)
            throws IOException {
        readStream(raw, source, named, sink, listener, 0);
    }

    private void readStream(InputStream raw, String source, boolean named, RecordSink sink, InputListener listener,
                            int nesting) throws IOException {
        BufferedInputStream in = new LocalBufferedInputStream(raw, 1 << 16);
        InputFormat format = sniff(in);
        if ((format == InputFormat.GZIP || format == InputFormat.ZIP || format == InputFormat.TAR)
                && nesting >= MAX_NESTING) {
            listener.inputFailed(source, "containers nested more than " + MAX_NESTING + " deep (" + format
                    + " inside); not read");
            return;
        }
        if (format == InputFormat.UNKNOWN && evtxChunkBehindHeader(in)) {
            format = InputFormat.EVTX;   // damaged or zeroed file header; EvtxReader reports it
        }
        Utf16 utf16 = format == InputFormat.UNKNOWN || format == InputFormat.XML || format == InputFormat.JSON
                ? Utf16.detect(in) : null;
        if (utf16 != null) {
            Utf16.Transcoded t = utf16.toUtf8(in);
            InputFormat inner = sniff(t.stream());
            if (inner == InputFormat.XML || inner == InputFormat.JSON) {
                listener.inputStarted(source, inner);
                try {
                    readers.get(inner).get().read(t.stream(), source, sink);
                } catch (IOException e) {
                    listener.inputFailed(source, "read stopped: " + IoReason.of(e));
                }
                return;
            }
        }
        switch (format) {
            case GZIP -> {
                InputStream inner = new java.util.zip.GZIPInputStream(in, 1 << 16);
                readStream(inner, source, named, sink, listener, nesting + 1);
            }
            case ZIP -> readArchive(new ZipArchiveInputStream(in, "UTF-8", true, true), source, sink, listener, nesting + 1);
            case TAR -> readArchive(new TarArchiveInputStream(in), source, sink, listener, nesting + 1);
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
                    listener.inputFailed(source, "read stopped: " + IoReason.of(e));
                }
            }
        }
    }

    /** An EVTX chunk signature where the first chunk starts, behind a header that is not one (bit flip, zeros). */
    private static boolean evtxChunkBehindHeader(BufferedInputStream in) throws IOException {
        in.mark(EVTX_PEEK);
        byte[] head = new byte[EVTX_PEEK];
        int n = in.readNBytes(head, 0, EVTX_PEEK);
        in.reset();
        return n == EVTX_PEEK && new String(head, 4096, 8, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ElfChnk\0");
    }

    private void readArchive(ArchiveInputStream<? extends ArchiveEntry> archive, String source, RecordSink sink,
                             InputListener listener, int nesting) throws IOException {
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
            readStream(new NonClosing(archive), member, false, sink, listener, nesting);
        }
    }

    /**
     * Reads no more than it needs to decide: text that starts like JSON or XML is decided on the bytes at hand, so
     * a live stream (standard input) is not held up waiting for {@link InputFormat#SNIFF_BYTES} bytes.
     */
    private static InputFormat sniff(BufferedInputStream in) throws IOException {
        in.mark(InputFormat.SNIFF_BYTES);
        byte[] head = new byte[InputFormat.SNIFF_BYTES];
        int n = 0;
        while (n < head.length && !InputFormat.decidedEarly(head, n)) {
            int r = in.read(head, n, head.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
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

        /** Pipes and FIFOs cannot tell ("Illegal seek"); GZIPInputStream and decoders only use this as a hint. */
        @Override
        public int available() {
            try {
                return super.available();
            } catch (IOException notSeekable) {
                return 0;
            }
        }
    }
}
