package io.procwatch.detect.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Map-valued annotations become one string, lines keep their numbers, and nothing else in the DRL changes. */
class MapAnnotationsTest {

    @Test
    void aMapValueBecomesOneStringOnTheSameLines() {
        String drl = "rule \"r\"\n    @title( \"x = y\" )\n    @throttle( fields=\"dest user\",\n"
                + "               window=\"1d\" )\n    @expires( 1m )\nwhen\nthen\nend\n";
        String out = MapAnnotations.asStrings(drl);
        assertEquals("rule \"r\"\n    @title( \"x = y\" )\n    @throttle( \"fields='dest user', window='1d'\" )\n\n"
                + "    @expires( 1m )\nwhen\nthen\nend\n", out);
        assertEquals(drl.lines().count(), out.lines().count());
        assertEquals(Map.of("fields", "dest user", "window", "1d"),
                MapAnnotations.pairs("fields='dest user', window='1d'"));
    }

    @Test
    void stringsCommentsAndOtherAnnotationsStayAsTheyAre() {
        String drl = "// @throttle( fields=\"a\", window=\"1d\" )\n/* @throttle( fields=\"a\", window=\"1d\" ) */\n"
                + "rule \"@throttle( fields=a, window=b )\"\n    @riskObjects( \"dest:system:50\" )\n"
                + "    @reviewed( by=\"it's me\" )\nwhen\nthen\n    String s = \"@x( a=\\\"b\\\" )\";\nend\n";
        assertEquals(drl, MapAnnotations.asStrings(drl));
        assertNull(MapAnnotations.pairs("\"dest:system:50\""));
        assertNull(MapAnnotations.pairs("1m"));
        assertNull(MapAnnotations.pairs("a=\"b\" c"));
    }
}
