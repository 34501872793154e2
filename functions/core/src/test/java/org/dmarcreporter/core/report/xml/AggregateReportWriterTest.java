package org.dmarcreporter.core.report.xml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class AggregateReportWriterTest {

    private static final ReportMetadata METADATA = new ReportMetadata(
            "reporter.example",
            List.of("dmarc@reporter.example", "abuse@reporter.example"),
            "https://reporter.example/dmarc",
            "1764547200.example.com@reporter.example",
            1764547200L,
            1764633599L,
            "dmarc-reporter 0.1.0",
            null);

    private static final PublishedPolicy POLICY = new PublishedPolicy(
            "example.com",
            Policy.REJECT,
            Policy.QUARANTINE,
            Policy.NONE,
            AlignmentMode.RELAXED,
            AlignmentMode.STRICT,
            "1:d",
            true,
            100);

    private static final AggregateRow PASSING = new AggregateRow(
            "192.0.2.1",
            "example.com",
            "example.com",
            ReportedDisposition.PASS,
            true,
            true,
            List.of(),
            List.of(new DkimAuth("example.com", "s1", "pass"), new DkimAuth("esp.example", "k2", "fail")),
            new SpfAuth("example.com", "mfrom", "pass"));

    private static final AggregateRow TEST_MODE = new AggregateRow(
            "198.51.100.7",
            "mail.example.com",
            "",
            ReportedDisposition.QUARANTINE,
            false,
            false,
            List.of(OverrideReason.POLICY_TEST_MODE),
            List.of(),
            new SpfAuth("helo.example.net", "mfrom", "softfail"));

    private static final AggregateRow NO_SPF = new AggregateRow(
            "203.0.113.9",
            "example.com",
            null,
            ReportedDisposition.NONE,
            false,
            false,
            List.of(new OverrideReason("local_policy", "forwarded <via> list & co")),
            List.of(new DkimAuth("example.com", "s1", "temperror")),
            null);

    private static final AggregateRow IPV6 = new AggregateRow(
            "2001:db8::1",
            "example.com",
            "example.com",
            ReportedDisposition.REJECT,
            false,
            false,
            List.of(),
            List.of(),
            new SpfAuth("example.com", "mfrom", "fail"));

    private static final List<CountedRow> ROWS = List.of(
            new CountedRow(PASSING, 120),
            new CountedRow(TEST_MODE, 3),
            new CountedRow(NO_SPF, 1),
            new CountedRow(IPV6, 7));

    @Test
    void rfc9990ReportValidatesAgainstItsSchema() throws Exception {
        byte[] xml = write(ReportFormat.RFC9990, ROWS);
        schema("rfc9990-aggregate.xsd").newValidator().validate(new StreamSource(new ByteArrayInputStream(xml)));
    }

    @Test
    void rfc7489ReportValidatesAgainstItsSchema() throws Exception {
        // IPv6 rows included: the schema's IPAddress pattern takes only the eight-group form.
        byte[] xml = write(ReportFormat.RFC7489, ROWS);
        schema("rfc7489-aggregate.validation-variant.xsd")
                .newValidator()
                .validate(new StreamSource(new ByteArrayInputStream(xml)));
    }

    @Test
    void theSchemaCatchesWhatTheWriterMustNotProduce() throws Exception {
        // The validation above can fail: a pct element is refused by the 2.0 schema.
        String bad = new String(write(ReportFormat.RFC9990, ROWS), StandardCharsets.UTF_8)
                .replace("<fo>", "<pct>100</pct><fo>");
        assertThatThrownBy(() -> schema("rfc9990-aggregate.xsd")
                        .newValidator()
                        .validate(new StreamSource(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)))))
                .hasMessageContaining("pct");
    }

    @Test
    void rfc9990ReportCarriesEveryPolicyTagAndNoPct() throws Exception {
        Document doc = parse(write(ReportFormat.RFC9990, ROWS));
        Element root = doc.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(AggregateReportWriter.NAMESPACE);
        assertThat(text(root, "version")).isEqualTo("1.0");
        Element policy =
                (Element) root.getElementsByTagNameNS("*", "policy_published").item(0);
        assertThat(childNames(policy))
                .containsExactly("domain", "adkim", "aspf", "p", "sp", "np", "fo", "testing", "discovery_method");
        assertThat(text(policy, "p")).isEqualTo("reject");
        assertThat(text(policy, "sp")).isEqualTo("quarantine");
        assertThat(text(policy, "np")).isEqualTo("none");
        assertThat(text(policy, "aspf")).isEqualTo("s");
        assertThat(text(policy, "fo")).isEqualTo("1:d");
        assertThat(text(policy, "testing")).isEqualTo("y");
        assertThat(text(policy, "discovery_method")).isEqualTo("treewalk");
        Element meta =
                (Element) root.getElementsByTagNameNS("*", "report_metadata").item(0);
        assertThat(text(meta, "email")).isEqualTo("dmarc@reporter.example, abuse@reporter.example");
        assertThat(text(meta, "begin")).isEqualTo("1764547200");
        assertThat(text(meta, "end")).isEqualTo("1764633599");
        assertThat(text(meta, "generator")).isEqualTo("dmarc-reporter 0.1.0");
    }

    @Test
    void rowsAreWrittenAsStoredWithCountsResultsAndReasons() throws Exception {
        Document doc = parse(write(ReportFormat.RFC9990, ROWS));
        NodeList records = doc.getElementsByTagNameNS("*", "record");
        assertThat(records.getLength()).isEqualTo(4);
        Element first = (Element) records.item(0);
        assertThat(childNames(first)).containsExactly("row", "identifiers", "auth_results");
        assertThat(text(first, "source_ip")).isEqualTo("192.0.2.1");
        assertThat(text(first, "count")).isEqualTo("120");
        assertThat(text(first, "disposition")).isEqualTo("pass");
        NodeList dkim = first.getElementsByTagNameNS("*", "dkim");
        // policy_evaluated/dkim, then the two auth_results/dkim in stored order
        assertThat(dkim.getLength()).isEqualTo(3);
        assertThat(text((Element) dkim.item(1), "domain")).isEqualTo("example.com");
        assertThat(text((Element) dkim.item(2), "selector")).isEqualTo("k2");
        assertThat(text((Element) dkim.item(2), "result")).isEqualTo("fail");

        Element testMode = (Element) records.item(1);
        assertThat(text(testMode, "type")).isEqualTo("policy_test_mode");
        assertThat(testMode.getElementsByTagNameNS("*", "envelope_from").item(0).getTextContent())
                .isEmpty();

        Element noSpf = (Element) records.item(2);
        assertThat(noSpf.getElementsByTagNameNS("*", "envelope_from").getLength())
                .isZero();
        assertThat(text(noSpf, "comment")).isEqualTo("forwarded <via> list & co");
        Element authResults =
                (Element) noSpf.getElementsByTagNameNS("*", "auth_results").item(0);
        assertThat(childNames(authResults)).containsExactly("dkim");

        assertThat(text((Element) records.item(3), "source_ip")).isEqualTo("2001:db8::1");
    }

    @Test
    void rfc7489ReportHasNoNamespaceNoPassDispositionAndAlwaysAnSpfResult() throws Exception {
        Document doc = parse(write(ReportFormat.RFC7489, ROWS));
        Element root = doc.getDocumentElement();
        assertThat(root.getNamespaceURI()).isNull();
        Element policy = (Element) root.getElementsByTagName("policy_published").item(0);
        assertThat(childNames(policy)).containsExactly("domain", "adkim", "aspf", "p", "sp", "pct", "fo");
        assertThat(root.getElementsByTagName("generator").getLength()).isZero();
        NodeList records = root.getElementsByTagName("record");
        assertThat(text((Element) records.item(0), "disposition")).isEqualTo("none");
        assertThat(text((Element) records.item(1), "type")).isEqualTo("sampled_out");
        Element noSpf = (Element) records.item(2);
        Element spf =
                (Element) noSpf.getElementsByTagName("auth_results").item(0).getLastChild();
        assertThat(spf.getTagName()).isEqualTo("spf");
        assertThat(text(spf, "domain")).isEqualTo("example.com");
        assertThat(text(spf, "scope")).isEqualTo("mfrom");
        assertThat(text(spf, "result")).isEqualTo("none");
        assertThat(noSpf.getElementsByTagName("envelope_from").item(0).getTextContent())
                .isEmpty();
        // The RFC 7489 schema takes IPv6 only with all eight groups; RFC 9990 keeps RFC 5952 form.
        assertThat(text((Element) records.item(3), "source_ip")).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void characters_xml_cannot_carry_are_replaced_not_written_raw() throws Exception {
        AggregateRow odd = new AggregateRow(
                "192.0.2.1",
                "example.com",
                "example.com",
                ReportedDisposition.NONE,
                false,
                false,
                List.of(new OverrideReason("other", "bell\u0007 and \uD83D\uDE00 and lone \uD800")),
                List.of(),
                null);
        byte[] xml = write(ReportFormat.RFC9990, List.of(new CountedRow(odd, 1)));
        schema("rfc9990-aggregate.xsd").newValidator().validate(new StreamSource(new ByteArrayInputStream(xml)));
        assertThat(text(parse(xml).getDocumentElement(), "comment"))
                .isEqualTo("bell\uFFFD and \uD83D\uDE00 and lone \uFFFD");
    }

    @Test
    void gzipOutputIsTheSameXml() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        AggregateReportWriter.writeGzip(gz, ReportFormat.RFC9990, METADATA, POLICY, ROWS.iterator());
        byte[] unzipped;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
            unzipped = in.readAllBytes();
        }
        assertThat(unzipped).isEqualTo(write(ReportFormat.RFC9990, ROWS));
    }

    @Test
    void rowsArePulledOneAtATime() throws Exception {
        // Streaming: the writer never asks for a row before it has written the previous one.
        List<Integer> pulledAtSize = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Iterator<CountedRow> rows = new Iterator<>() {
            int left = 1000;

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public CountedRow next() {
                if (left-- == 0) {
                    throw new NoSuchElementException();
                }
                pulledAtSize.add(out.size());
                return new CountedRow(PASSING, 1);
            }
        };
        AggregateReportWriter.write(out, ReportFormat.RFC9990, METADATA, POLICY, rows);
        assertThat(pulledAtSize).hasSize(1000);
        assertThat(parse(out.toByteArray())
                        .getElementsByTagNameNS("*", "record")
                        .getLength())
                .isEqualTo(1000);
    }

    @ParameterizedTest
    @EnumSource(ReportFormat.class)
    void aReportWithoutRowsIsRefused(ReportFormat format) {
        assertThatThrownBy(() -> write(format, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] write(ReportFormat format, List<CountedRow> rows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AggregateReportWriter.write(out, format, METADATA, POLICY, rows.iterator());
        return out.toByteArray();
    }

    static Schema schema(String name) throws Exception {
        URL xsd = AggregateReportWriterTest.class.getResource("/xsd/" + name);
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        return factory.newSchema(xsd);
    }

    private static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    private static String text(Element parent, String name) {
        return parent.getElementsByTagNameNS("*", name).item(0).getTextContent();
    }

    private static List<String> childNames(Element parent) {
        List<String> names = new ArrayList<>();
        for (var n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                names.add(e.getLocalName() == null ? e.getTagName() : e.getLocalName());
            }
        }
        return names;
    }
}
