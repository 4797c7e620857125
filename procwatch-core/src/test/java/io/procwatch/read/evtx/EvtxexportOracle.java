package io.procwatch.read.evtx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * libyal's {@code evtxexport -f xml} (Debian package libevtx-utils) as an independent oracle: runs it once per file
 * and parses each exported {@code <Event>} into an {@link EvtxElement}.
 */
final class EvtxexportOracle {

    private static final Pattern EVENT = Pattern.compile("<Event[ >].*?</Event>", Pattern.DOTALL);
    private final DocumentBuilder xml;

    EvtxexportOracle() throws Exception {
        xml = DocumentBuilderFactory.newInstance().newDocumentBuilder();
    }

    /** Skips the calling test, with a line on stderr, when evtxexport is not installed. */
    static void requireInstalled() {
        boolean installed;
        try {
            Process p = new ProcessBuilder("evtxexport", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            installed = p.waitFor() == 0;
        } catch (IOException e) {
            installed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            installed = false;
        }
        if (!installed) {
            System.err.println("SKIPPED: evtxexport not installed (apt-get install libevtx-utils)");
        }
        assumeTrue(installed, "evtxexport not installed (apt-get install libevtx-utils)");
    }

    List<EvtxElement> export(Path file) throws Exception {
        Process p = new ProcessBuilder("evtxexport", "-f", "xml", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (p.waitFor() != 0) {
            throw new IOException("evtxexport failed on " + file);
        }
        List<EvtxElement> events = new ArrayList<>();
        Matcher m = EVENT.matcher(new String(out, StandardCharsets.UTF_8));
        while (m.find()) {
            String text = xmlSafe(m.group());
            Element root = xml.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
            events.add(toElement(root));
        }
        return events;
    }

    /**
     * evtxexport writes values raw: a CR would be normalised away by any XML parser, and control characters
     * are not XML at all. Keep CR as a reference and map control characters to the private-use area; the
     * comparison applies {@link #controlCharsToPrivateUse} to the reader's side too.
     */
    private static String xmlSafe(String s) {
        return controlCharsToPrivateUse(s.replace("\r", "&#13;"));
    }

    static String controlCharsToPrivateUse(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xfffe || c == 0xffff;
            if (control && sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(control ? (char) (0xe000 + (c & 0xff)) : c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static EvtxElement toElement(Element dom) {
        EvtxElement element = new EvtxElement(dom.getTagName());
        NamedNodeMap attributes = dom.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            element.addAttribute(attributes.item(i).getNodeName(), attributes.item(i).getNodeValue());
        }
        for (Node child = dom.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element childElement) {
                element.addChild(toElement(childElement));
            } else if (child.getNodeType() == Node.TEXT_NODE || child.getNodeType() == Node.CDATA_SECTION_NODE) {
                element.appendText(child.getNodeValue());
            }
        }
        return element;
    }
}
