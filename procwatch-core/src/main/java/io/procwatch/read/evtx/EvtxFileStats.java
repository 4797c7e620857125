package io.procwatch.read.evtx;

/**
 * What {@link EvtxReader#readRecords} found in one file.
 *
 * @param version           format version from the file header, e.g. "3.2"
 * @param headerChunkCount  chunk count the file header claims (low in dirty files)
 * @param chunks            64 KiB chunks present in the stream
 * @param zeroChunks        all-zero (never written) chunks among them, skipped
 * @param acceptedRecords   records handed to the visitor
 */
public record EvtxFileStats(String version, long headerChunkCount, long chunks, long zeroChunks,
                            long acceptedRecords) {
}
