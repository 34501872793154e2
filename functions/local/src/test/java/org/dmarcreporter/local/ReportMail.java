package org.dmarcreporter.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A report message read back: its headers, the gzip attachment's XML, and parsedmarc's reading. */
record ReportMail(MimeMessage message, String attachmentName, String contentType, Document xml) {

    /** One XML record row. */
    record Row(String sourceIp, long count, String disposition, String headerFrom) {}

    static ReportMail read(byte[] eml) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(eml));
        Multipart parts = (Multipart) m.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.isMimeType("application/gzip")) {
                byte[] xml;
                try (InputStream in = new GZIPInputStream(part.getInputStream())) {
                    xml = in.readAllBytes();
                }
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
                return new ReportMail(m, part.getFileName(), part.getContentType(), doc);
            }
        }
        throw new AssertionError("no application/gzip part");
    }

    static ReportMail read(Path eml) throws Exception {
        return read(Files.readAllBytes(eml));
    }

    String text(String tag) {
        NodeList n = xml.getElementsByTagNameNS("*", tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent();
    }

    long begin() {
        return Long.parseLong(
                ((Element) xml.getElementsByTagNameNS("*", "date_range").item(0))
                        .getElementsByTagNameNS("*", "begin")
                        .item(0)
                        .getTextContent());
    }

    long end() {
        return Long.parseLong(
                ((Element) xml.getElementsByTagNameNS("*", "date_range").item(0))
                        .getElementsByTagNameNS("*", "end")
                        .item(0)
                        .getTextContent());
    }

    List<Row> rows() {
        List<Row> out = new ArrayList<>();
        NodeList records = xml.getElementsByTagNameNS("*", "record");
        for (int i = 0; i < records.getLength(); i++) {
            Element r = (Element) records.item(i);
            out.add(new Row(
                    child(r, "source_ip"),
                    Long.parseLong(child(r, "count")),
                    child(r, "disposition"),
                    child(r, "header_from")));
        }
        return out;
    }

    long messages() {
        return rows().stream().mapToLong(Row::count).sum();
    }

    private static String child(Element e, String tag) {
        return e.getElementsByTagNameNS("*", tag).item(0).getTextContent();
    }

    /**
     * parsedmarc's reading of the message ({@code parse_report_email}, offline), as JSON; skipped
     * without {@code DMARC_TEST_PYTHON}.
     */
    static JsonNode parsedmarc(Path eml, Path work) throws Exception {
        String python = System.getenv("DMARC_TEST_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "DMARC_TEST_PYTHON is not set (scripts/test sets it)");
        Path out = Files.createTempFile(work, "parsedmarc-", ".json");
        ProcessBuilder pb = new ProcessBuilder(
                        python,
                        "-c",
                        "import json, sys, parsedmarc\n"
                                + "r = parsedmarc.parse_report_email(open(sys.argv[1], 'rb').read(), offline=True)\n"
                                + "json.dump(r, open(sys.argv[2], 'w'), default=str)\n",
                        eml.toString(),
                        out.toString())
                .redirectErrorStream(true);
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("parsedmarc failed: " + log);
        }
        return Processes.JSON.readTree(out.toFile());
    }
}
