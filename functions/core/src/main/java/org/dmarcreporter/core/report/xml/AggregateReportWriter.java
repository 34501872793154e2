package org.dmarcreporter.core.report.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
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
    private static final Tag RECORD = Tag.of("record");
    private static final Tag ROW = Tag.of("row");
    private static final Tag SOURCE_IP = Tag.of("source_ip");
    private static final Tag COUNT = Tag.of("count");
    private static final Tag POLICY_EVALUATED = Tag.of("policy_evaluated");
    private static final Tag DISPOSITION = Tag.of("disposition");
    private static final Tag DKIM = Tag.of("dkim");
    private static final Tag SPF = Tag.of("spf");
    private static final Tag REASON = Tag.of("reason");
    private static final Tag TYPE = Tag.of("type");
    private static final Tag COMMENT = Tag.of("comment");
    private static final Tag IDENTIFIERS = Tag.of("identifiers");
    private static final Tag HEADER_FROM = Tag.of("header_from");
    private static final Tag ENVELOPE_FROM = Tag.of("envelope_from");
    private static final Tag AUTH_RESULTS = Tag.of("auth_results");
    private static final Tag SELECTOR = Tag.of("selector");
    private static final Tag RESULT = Tag.of("result");
    private static final Tag SCOPE = Tag.of("scope");

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

    /** RFC 9990 §3.1.1.7-§3.1.1.13: row, identifiers, auth_results, in that order. */
    private static void record(XmlStream xml, ReportFormat format, CountedRow counted) throws IOException {
        AggregateRow r = counted.row();
        boolean legacy = format == ReportFormat.RFC7489;
        xml.start(RECORD);
        xml.start(ROW);
        xml.element(SOURCE_IP, r.sourceIp());
        xml.element(COUNT, counted.count());
        xml.start(POLICY_EVALUATED);
        // RFC 7489 has no "pass" disposition: the message was delivered, so "none".
        xml.element(
                DISPOSITION,
                legacy && r.disposition() == ReportedDisposition.PASS
                        ? ReportedDisposition.NONE.token()
                        : r.disposition().token());
        xml.element(DKIM, r.dkimAligned() ? "pass" : "fail");
        xml.element(SPF, r.spfAligned() ? "pass" : "fail");
        for (OverrideReason reason : r.reasons()) {
            xml.start(REASON);
            xml.element(TYPE, legacy ? legacyReason(reason.type()) : reason.type());
            xml.optional(COMMENT, reason.comment());
            xml.end();
        }
        xml.end();
        xml.end();
        xml.start(IDENTIFIERS);
        xml.element(HEADER_FROM, r.headerFrom());
        if (r.envelopeFrom() != null) {
            // "" for the null sender: present but empty (RFC 9990 §3.1.1.10).
            xml.element(ENVELOPE_FROM, r.envelopeFrom());
        } else if (legacy) {
            xml.element(ENVELOPE_FROM, "");
        }
        xml.end();
        xml.start(AUTH_RESULTS);
        for (DkimAuth d : r.dkim()) {
            xml.start(DKIM);
            xml.element(DOMAIN, d.domain());
            xml.element(SELECTOR, d.selector());
            xml.element(RESULT, d.result());
            xml.end();
        }
        SpfAuth spf = r.spf();
        if (spf != null) {
            xml.start(SPF);
            xml.element(DOMAIN, spf.domain());
            // RFC 9990 §3.1.1.13: scope is optional and can only be mfrom; RFC 7489 requires it.
            xml.element(SCOPE, "mfrom");
            xml.element(RESULT, legacy ? legacySpfResult(spf.result()) : spf.result());
            xml.end();
        } else if (legacy) {
            // RFC 7489 Appendix C: "There will always be at least one SPF result."
            xml.start(SPF);
            xml.element(
                    DOMAIN, r.envelopeFrom() == null || r.envelopeFrom().isEmpty() ? r.headerFrom() : r.envelopeFrom());
            xml.element(SCOPE, "mfrom");
            xml.element(RESULT, "none");
            xml.end();
        }
        xml.end();
        xml.end();
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
