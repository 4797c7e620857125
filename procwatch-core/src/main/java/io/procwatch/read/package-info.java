/**
 * Input → {@link io.procwatch.read.RawRecord}s: one reader per format (Windows event XML, JSON shapes, EVTX in
 * {@code read.evtx}), files, directories and containers walked by {@link io.procwatch.read.InputWalker}, the format
 * sniffed from content. Knows nothing of rules or sessions. Internal.
 */
package io.procwatch.read;
