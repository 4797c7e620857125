package io.procwatch.read;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads Splunk's classic (non-XML) {@code WinEventLog} text exports: see {@link ClassicEventParser} for the format
 * and how it maps onto the XML form's fields. (Classic events between XML events in one file are read by
 * {@link XmlEventReader}, with the same parser.)
 */
public final class ClassicWinEventLogReader implements EventReader {

    @Override
    public void read(InputStream in, String source, RecordSink sink) throws IOException {
        ClassicEventParser.readAll(in, source, sink);
    }
}
