package io.procwatch.read.evtx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each BinXML value type renders as Windows writes it in event XML. */
class BinXmlValueRendererTest {

    private static String render(int type, byte[] value) {
        return BinXmlValueRenderer.render(value, type, 0, value.length);
    }

    private static byte[] le(int size, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] out = new byte[size];
        System.arraycopy(b.array(), 0, out, 0, size);
        return out;
    }

    @Test
    void hexTypesAreMinimalLowerCase() {
        assertEquals("0x3e7", render(BinXmlValueRenderer.HEX_INT64, le(8, 0x3e7)));
        assertEquals("0x8020000000000000", render(BinXmlValueRenderer.HEX_INT64, le(8, 0x8020000000000000L)));
        assertEquals("0x0", render(BinXmlValueRenderer.HEX_INT32, le(4, 0)));
        assertEquals("0xffffffff", render(BinXmlValueRenderer.HEX_INT32, le(4, 0xffffffffL)));
        assertEquals("0x1f4", render(BinXmlValueRenderer.SIZE_T, le(8, 500)), "size_t renders as hex");
    }

    @Test
    void integersAreDecimalWithTheirSignedness() {
        assertEquals("-1", render(BinXmlValueRenderer.INT8, le(1, 0xff)));
        assertEquals("255", render(BinXmlValueRenderer.UINT8, le(1, 0xff)));
        assertEquals("-2", render(BinXmlValueRenderer.INT16, le(2, 0xfffe)));
        assertEquals("4294967295", render(BinXmlValueRenderer.UINT32, le(4, 0xffffffffL)));
        assertEquals("18446744073709551615", render(BinXmlValueRenderer.UINT64, le(8, -1)));
        assertEquals("-5", render(BinXmlValueRenderer.INT64, le(8, -5)));
        assertEquals("true", render(BinXmlValueRenderer.BOOL, le(4, 1)));
        assertEquals("false", render(BinXmlValueRenderer.BOOL, le(4, 0)));
    }

    @Test
    void guidIsBracedUpperCaseWithMixedEndianFields() {
        byte[] guid = {0x5f, 0x38, 0x70, 0x57, 0x2a, (byte) 0xc2, (byte) 0xe0, 0x43,
            (byte) 0xbf, 0x4c, 0x06, (byte) 0xf5, 0x69, (byte) 0x8f, (byte) 0xfb, (byte) 0xd9};
        assertEquals("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", render(BinXmlValueRenderer.GUID, guid));
    }

    @Test
    void sidIsRenderedInSddlForm() {
        byte[] localSystem = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
        assertEquals("S-1-5-18", render(BinXmlValueRenderer.SID, localSystem));
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {1, 4, 0, 0, 0, 0, 0, 5}).putInt(21).putInt(0xce77d5a0).putInt(1000).putInt(500);
        assertEquals("S-1-5-21-3463959968-1000-500", render(BinXmlValueRenderer.SID, b.array()));
    }

    @Test
    void filetimeAndSystemtimeAreIsoWithSevenDigits() {
        // 2016-09-21T03:40:37.0888671Z as ticks since 1601
        long ticks = (1474429237L + 11_644_473_600L) * 10_000_000L + 888_671;
        assertEquals("2016-09-21T03:40:37.0888671Z", render(BinXmlValueRenderer.FILETIME, le(8, ticks)));
        assertEquals("1601-01-01T00:00:00.0000000Z", render(BinXmlValueRenderer.FILETIME, le(8, 0)));
        ByteBuffer st = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        st.putShort((short) 2025).putShort((short) 10).putShort((short) 5).putShort((short) 24)
                .putShort((short) 14).putShort((short) 14).putShort((short) 58).putShort((short) 830);
        assertEquals("2025-10-24T14:14:58.8300000Z", render(BinXmlValueRenderer.SYSTEMTIME, st.array()));
    }

    @Test
    void stringsDropTrailingNulsAndAnsiIsWindows1252() {
        byte[] text = "cmd.exe\0".getBytes(StandardCharsets.UTF_16LE);
        assertEquals("cmd.exe", render(BinXmlValueRenderer.STRING, text));
        assertEquals("Prüfung ™", render(BinXmlValueRenderer.STRING, "Prüfung ™".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals("café€", render(BinXmlValueRenderer.ANSI_STRING, new byte[] {'c', 'a', 'f', (byte) 0xe9, (byte) 0x80, 0}));
        assertEquals("DEADBEEF00", render(BinXmlValueRenderer.BINARY, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0}));
    }

    @Test
    void arraysSplitIntoItems() {
        byte[] strings = "a\0\0bc\0".getBytes(StandardCharsets.UTF_16LE); // each item NUL-terminated
        assertEquals(List.of("a", "", "bc"), BinXmlValueRenderer.renderArray(strings, 0x81, 0, strings.length));
        ByteBuffer ints = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(0x10);
        assertEquals(List.of("7", "16"), BinXmlValueRenderer.renderArray(ints.array(), 0x88, 0, 8));
        assertEquals(List.of("0x7", "0x10"), BinXmlValueRenderer.renderArray(ints.array(), 0x94, 0, 8));
    }

    @Test
    void flattenerMapsSystemEventDataAndUserData() {
        EvtxFieldFlattener f = new EvtxFieldFlattener();
        var fields = f.begin();
        f.startElement("Event");
        f.startElement("System");
        f.startElement("Provider");
        f.attribute("Name", "Microsoft-Windows-Security-Auditing");
        f.endElement();
        f.startElement("EventID");
        f.attribute("Qualifiers", "16384");
        f.text("4688");
        f.endElement();
        f.startElement("Execution");
        f.attribute("ProcessID", "4");
        f.attribute("ThreadID", "60");
        f.endElement();
        f.endElement();
        f.startElement("EventData");
        f.startElement("Data");
        f.attribute("Name", "CommandLine");
        f.text("cmd.exe /c ");
        f.text("echo");
        f.endElement();
        f.startElement("Data");
        f.text("first");
        f.endElement();
        f.startElement("Data");
        f.endElement();
        f.endElement();
        f.endElement();
        assertEquals("{Provider=Microsoft-Windows-Security-Auditing, EventID=4688, ExecutionProcessID=4, "
                + "ExecutionThreadID=60, CommandLine=cmd.exe /c echo, Data_1=first, Data_2=}", fields.toString());

        fields = f.begin();
        f.startElement("Event");
        f.startElement("UserData");
        f.startElement("LogFileCleared");
        f.startElement("SubjectUserName");
        f.text("IEUser");
        f.endElement();
        f.endElement();
        f.endElement();
        f.endElement();
        assertEquals("{SubjectUserName=IEUser}", fields.toString());
    }
}
