package org.dmarcreporter.core.report.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import org.dmarcreporter.core.address.IpAddresses;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
import org.dmarcreporter.core.report.xml.XmlStream.Markup;
import org.dmarcreporter.core.report.xml.XmlStream.Tag;
import org.dmarcreporter.core.settings.ReportingSettings.ReportFormat;

/**
 * Writes one aggregate report as XML, streaming: rows are pulled from an iterator and written as
 * they come, so memory does not grow with the number of rows (a report may hold a million).
 *
 * <p>{@link ReportFormat#RFC9990} follows RFC 9990 §3.1 and its schema (namespace
 * {@code urn:ietf:params:xml:ns:dmarc-2.0}); {@link ReportFormat#RFC7489} follows RFC 7489
 * Appendix C as reports are exchanged in practice (no namespace, {@code pct}/{@code sp}/{@code fo}
 * present, SPF with {@code scope}, no {@code pass} disposition).
 */
public final class AggregateReportWriter {

    /** RFC 9990 §3.1.1.1. */
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";

    private static final int BUFFER = 16 * 1024;

    // Every element name, its tags encoded once.
    private static final Tag VERSION = Tag.of("version");
    private static final Tag REPORT_METADATA = Tag.of("report_metadata");
    private static final Tag ORG_NAME = Tag.of("org_name");
    private static final Tag EMAIL = Tag.of("email");
    private static final Tag EXTRA_CONTACT_INFO = Tag.of("extra_contact_info");
    private static final Tag REPORT_ID = Tag.of("report_id");
    private static final Tag DATE_RANGE = Tag.of("date_range");
    private static final Tag BEGIN = Tag.of("begin");
    private static final Tag END = Tag.of("end");
    private static final Tag ERROR = Tag.of("error");
    private static final Tag GENERATOR = Tag.of("generator");
    private static final Tag POLICY_PUBLISHED = Tag.of("policy_published");
    private static final Tag DOMAIN = Tag.of("domain");
    private static final Tag ADKIM = Tag.of("adkim");
    private static final Tag ASPF = Tag.of("aspf");
    private static final Tag P = Tag.of("p");
    private static final Tag SP = Tag.of("sp");
    private static final Tag NP = Tag.of("np");
    private static final Tag FO = Tag.of("fo");
    private static final Tag TESTING = Tag.of("testing");
    private static final Tag DISCOVERY_METHOD = Tag.of("discovery_method");
    private static final Tag PCT = Tag.of("pct");

    // A record's markup, each constant the tags between two of its values (see record).
    private static final Markup RECORD_TO_SOURCE_IP = Markup.of("<record><row><source_ip>");
    private static final Markup SOURCE_IP_TO_COUNT = Markup.of("</source_ip><count>");
    private static final Markup COUNT_TO_DISPOSITION = Markup.of("</count><policy_evaluated><disposition>");
    private static final Markup DKIM_PASS = Markup.of("</disposition><dkim>pass</dkim>");
    private static final Markup DKIM_FAIL = Markup.of("</disposition><dkim>fail</dkim>");
    private static final Markup SPF_PASS = Markup.of("<spf>pass</spf>");
    private static final Markup SPF_FAIL = Markup.of("<spf>fail</spf>");
    private static final Markup REASON_TO_TYPE = Markup.of("<reason><type>");
    private static final Markup TYPE_TO_COMMENT = Markup.of("</type><comment>");
    private static final Markup COMMENT_TO_REASON_END = Markup.of("</comment></reason>");
    private static final Markup TYPE_TO_REASON_END = Markup.of("</type></reason>");
    private static final Markup POLICY_EVALUATED_TO_HEADER_FROM =
            Markup.of("</policy_evaluated></row><identifiers><header_from>");
    private static final Markup HEADER_FROM_TO_ENVELOPE_FROM = Markup.of("</header_from><envelope_from>");
    private static final Markup ENVELOPE_FROM_TO_AUTH_RESULTS =
            Markup.of("</envelope_from></identifiers><auth_results>");
    private static final Markup HEADER_FROM_TO_EMPTY_ENVELOPE_FROM_TO_AUTH_RESULTS =
            Markup.of("</header_from><envelope_from></envelope_from></identifiers><auth_results>");
    private static final Markup HEADER_FROM_TO_AUTH_RESULTS = Markup.of("</header_from></identifiers><auth_results>");
    private static final Markup DKIM_TO_DOMAIN = Markup.of("<dkim><domain>");
    private static final Markup DOMAIN_TO_SELECTOR = Markup.of("</domain><selector>");
    private static final Markup SELECTOR_TO_RESULT = Markup.of("</selector><result>");
    private static final Markup RESULT_TO_DKIM_END = Markup.of("</result></dkim>");
    private static final Markup SPF_TO_DOMAIN = Markup.of("<spf><domain>");
    private static final Markup DOMAIN_TO_SCOPE_TO_RESULT = Markup.of("</domain><scope>mfrom</scope><result>");
    private static final Markup RESULT_TO_SPF_END = Markup.of("</result></spf>");
    private static final Markup AUTH_RESULTS_TO_RECORD_END = Markup.of("</auth_results></record>");

    private AggregateReportWriter() {}

    /**
     * Writes the report gzip-compressed (RFC 9990 §3.5.2: {@code application/gzip}). Uses a fast
     * compression level: report XML is very repetitive, so it still shrinks about tenfold.
     */
    public static void writeGzip(
            OutputStream out,
            ReportFormat format,
            ReportMetadata metadata,
            PublishedPolicy policy,
            Iterator<CountedRow> rows)
            throws IOException {
        ReusedGzip gzip = ReusedGzip.open(out, BUFFER);
        write(gzip, format, metadata, policy, rows);
        gzip.finish();
    }

    /** Writes the report as UTF-8 XML; does not close {@code out}. */
    public static void write(
            OutputStream out,
            ReportFormat format,
            ReportMetadata metadata,
            PublishedPolicy policy,
            Iterator<CountedRow> rows)
            throws IOException {
        if (!rows.hasNext()) {
            // RFC 9990 §3.1.1.2: at least one record; a window without traffic sends no report.
            throw new IllegalArgumentException("a report needs at least one row");
        }
        XmlStream xml = new XmlStream(out);
        xml.startDocument("feedback", format == ReportFormat.RFC9990 ? NAMESPACE : null);
        // RFC 9990 §3.1.1.2: version is optional but must then be 1.0; RFC 7489 requires it.
        xml.element(VERSION, "1.0");
        metadata(xml, format, metadata);
        policy(xml, format, policy);
        while (rows.hasNext()) {
            record(xml, format, rows.next());
        }
        xml.endDocument();
    }

    /** RFC 9990 §3.1.1.3 ({@code xs:all}); RFC 7489 Appendix C wants this exact order, without generator. */
    private static void metadata(XmlStream xml, ReportFormat format, ReportMetadata m) throws IOException {
        xml.start(REPORT_METADATA);
        xml.element(ORG_NAME, m.orgName());
        xml.element(EMAIL, String.join(", ", m.contactEmails()));
        xml.optional(EXTRA_CONTACT_INFO, m.extraContactInfo());
        xml.element(REPORT_ID, m.reportId());
        xml.start(DATE_RANGE);
        xml.element(BEGIN, m.begin());
        xml.element(END, m.end());
        xml.end();
        xml.optional(ERROR, m.error());
        if (format == ReportFormat.RFC9990) {
            xml.optional(GENERATOR, m.generator());
        }
        xml.end();
    }

    /**
     * RFC 9990 §3.1.1.5: every tag, defaults for those not published, never {@code pct};
     * RFC 7489: {@code pct}, {@code sp} and {@code fo} are required there, {@code np} and
     * {@code testing} do not exist.
     */
    private static void policy(XmlStream xml, ReportFormat format, PublishedPolicy p) throws IOException {
        xml.start(POLICY_PUBLISHED);
        xml.element(DOMAIN, p.domain());
        xml.element(ADKIM, p.adkim().token());
        xml.element(ASPF, p.aspf().token());
        xml.element(P, p.p().token());
        xml.element(SP, p.sp().token());
        if (format == ReportFormat.RFC9990) {
            xml.element(NP, p.np().token());
            xml.element(FO, p.fo());
            xml.element(TESTING, p.testing() ? "y" : "n");
            xml.element(DISCOVERY_METHOD, "treewalk");
        } else {
            xml.element(PCT, Integer.toString(p.pct()));
            xml.element(FO, p.fo());
        }
        xml.end();
    }

    /**
     * RFC 9990 §3.1.1.7-§3.1.1.13: row, identifiers, auth_results, in that order. The markup
     * between two values is one constant (below), so a record is some twenty writes rather than
     * sixty: less work per row, and a method the JIT compiles in a fraction of the time, which a
     * report run's first minute pays for (docs/aggregate-reports.md).
     */
    private static void record(XmlStream xml, ReportFormat format, CountedRow counted) throws IOException {
        AggregateRow r = counted.row();
        boolean legacy = format == ReportFormat.RFC7489;
        xml.markup(RECORD_TO_SOURCE_IP);
        // The RFC 7489 schema accepts IPv6 only with all eight groups (errata 5221, 7865).
        xml.text(legacy ? IpAddresses.uncompressed(r.sourceIp()) : r.sourceIp());
        xml.markup(SOURCE_IP_TO_COUNT);
        xml.number(counted.count());
        xml.markup(COUNT_TO_DISPOSITION);
        // RFC 7489 has no "pass" disposition: the message was delivered, so "none".
        xml.text(
                legacy && r.disposition() == ReportedDisposition.PASS
                        ? ReportedDisposition.NONE.token()
                        : r.disposition().token());
        xml.markup(r.dkimAligned() ? DKIM_PASS : DKIM_FAIL);
        xml.markup(r.spfAligned() ? SPF_PASS : SPF_FAIL);
        for (OverrideReason reason : r.reasons()) {
            xml.markup(REASON_TO_TYPE);
            xml.text(legacy ? legacyReason(reason.type()) : reason.type());
            String comment = reason.comment();
            if (comment != null && !comment.isEmpty()) {
                xml.markup(TYPE_TO_COMMENT);
                xml.text(comment);
                xml.markup(COMMENT_TO_REASON_END);
            } else {
                xml.markup(TYPE_TO_REASON_END);
            }
        }
        xml.markup(POLICY_EVALUATED_TO_HEADER_FROM);
        xml.text(r.headerFrom());
        if (r.envelopeFrom() != null) {
            // "" for the null sender: present but empty (RFC 9990 §3.1.1.10).
            xml.markup(HEADER_FROM_TO_ENVELOPE_FROM);
            xml.text(r.envelopeFrom());
            xml.markup(ENVELOPE_FROM_TO_AUTH_RESULTS);
        } else if (legacy) {
            xml.markup(HEADER_FROM_TO_EMPTY_ENVELOPE_FROM_TO_AUTH_RESULTS);
        } else {
            xml.markup(HEADER_FROM_TO_AUTH_RESULTS);
        }
        for (DkimAuth d : r.dkim()) {
            xml.markup(DKIM_TO_DOMAIN);
            xml.text(d.domain());
            xml.markup(DOMAIN_TO_SELECTOR);
            xml.text(d.selector());
            xml.markup(SELECTOR_TO_RESULT);
            xml.text(d.result());
            xml.markup(RESULT_TO_DKIM_END);
        }
        SpfAuth spf = r.spf();
        if (spf != null) {
            // RFC 9990 §3.1.1.13: scope is optional and can only be mfrom; RFC 7489 requires it.
            xml.markup(SPF_TO_DOMAIN);
            xml.text(spf.domain());
            xml.markup(DOMAIN_TO_SCOPE_TO_RESULT);
            xml.text(legacy ? legacySpfResult(spf.result()) : spf.result());
            xml.markup(RESULT_TO_SPF_END);
        } else if (legacy) {
            // RFC 7489 Appendix C: "There will always be at least one SPF result."
            xml.markup(SPF_TO_DOMAIN);
            xml.text(r.envelopeFrom() == null || r.envelopeFrom().isEmpty() ? r.headerFrom() : r.envelopeFrom());
            xml.markup(DOMAIN_TO_SCOPE_TO_RESULT);
            xml.text("none");
            xml.markup(RESULT_TO_SPF_END);
        }
        xml.markup(AUTH_RESULTS_TO_RECORD_END);
    }

    /** RFC 7489's reason types have no policy_test_mode; {@code t=y} replaced {@code pct} sampling. */
    private static String legacyReason(String type) {
        return "policy_test_mode".equals(type) ? "sampled_out" : type;
    }

    /** RFC 7489's SPF results have no "policy" (RFC 8601 §2.7.2 added it). */
    private static String legacySpfResult(String result) {
        return "policy".equals(result) ? "neutral" : result;
    }
}
