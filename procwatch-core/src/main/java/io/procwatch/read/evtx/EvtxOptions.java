package io.procwatch.read.evtx;

/**
 * How {@link EvtxReader} treats damaged input.
 *
 * @param strictCrc    when true a checksum mismatch fails: a bad file header CRC throws, and every record of a chunk
 *                     with a bad header or records CRC is rejected instead of accepted with a warning
 * @param recoverSlack when true, records left in a chunk's unused space (after the last live record) are
 *                     recovered and marked with the field {@code evtx.Recovered=true}
 */
public record EvtxOptions(boolean strictCrc, boolean recoverSlack) {

    /** Warn on CRC mismatches and continue; ignore slack space. */
    public static final EvtxOptions DEFAULTS = new EvtxOptions(false, false);
}
