package org.dmarcreporter.core.report.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.dmarcreporter.core.report.row.AggregateRow;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;
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

    private static final int BUFFER = 64 * 1024;

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
        GZIPOutputStream gzip = new GZIPOutputStream(out, BUFFER) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        };
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
        xml.element("version", "1.0");
        metadata(xml, format, metadata);
        policy(xml, format, policy);
        while (rows.hasNext()) {
            record(xml, format, rows.next());
        }
        xml.endDocument();
    }

    /** RFC 9990 §3.1.1.3 ({@code xs:all}); RFC 7489 Appendix C wants this exact order, without generator. */
    private static void metadata(XmlStream xml, ReportFormat format, ReportMetadata m) throws IOException {
        xml.start("report_metadata");
        xml.element("org_name", m.orgName());
        xml.element("email", String.join(", ", m.contactEmails()));
        xml.optional("extra_contact_info", m.extraContactInfo());
        xml.element("report_id", m.reportId());
        xml.start("date_range");
        xml.element("begin", Long.toString(m.begin()));
        xml.element("end", Long.toString(m.end()));
        xml.end();
        xml.optional("error", m.error());
        if (format == ReportFormat.RFC9990) {
            xml.optional("generator", m.generator());
        }
        xml.end();
    }

    /**
     * RFC 9990 §3.1.1.5: every tag, defaults for those not published, never {@code pct};
     * RFC 7489: {@code pct}, {@code sp} and {@code fo} are required there, {@code np} and
     * {@code testing} do not exist.
     */
    private static void policy(XmlStream xml, ReportFormat format, PublishedPolicy p) throws IOException {
        xml.start("policy_published");
        xml.element("domain", p.domain());
        xml.element("adkim", p.adkim().token());
        xml.element("aspf", p.aspf().token());
        xml.element("p", p.p().token());
        xml.element("sp", p.sp().token());
        if (format == ReportFormat.RFC9990) {
            xml.element("np", p.np().token());
            xml.element("fo", p.fo());
            xml.element("testing", p.testing() ? "y" : "n");
            xml.element("discovery_method", "treewalk");
        } else {
            xml.element("pct", Integer.toString(p.pct()));
            xml.element("fo", p.fo());
        }
        xml.end();
    }

    /** RFC 9990 §3.1.1.7-§3.1.1.13: row, identifiers, auth_results, in that order. */
    private static void record(XmlStream xml, ReportFormat format, CountedRow counted) throws IOException {
        AggregateRow r = counted.row();
        boolean legacy = format == ReportFormat.RFC7489;
        xml.start("record");
        xml.start("row");
        xml.element("source_ip", r.sourceIp());
        xml.element("count", Long.toString(counted.count()));
        xml.start("policy_evaluated");
        // RFC 7489 has no "pass" disposition: the message was delivered, so "none".
        xml.element(
                "disposition",
                legacy && r.disposition() == ReportedDisposition.PASS
                        ? ReportedDisposition.NONE.token()
                        : r.disposition().token());
        xml.element("dkim", r.dkimAligned() ? "pass" : "fail");
        xml.element("spf", r.spfAligned() ? "pass" : "fail");
        for (OverrideReason reason : r.reasons()) {
            xml.start("reason");
            xml.element("type", legacy ? legacyReason(reason.type()) : reason.type());
            xml.optional("comment", reason.comment());
            xml.end();
        }
        xml.end();
        xml.end();
        xml.start("identifiers");
        xml.element("header_from", r.headerFrom());
        if (r.envelopeFrom() != null) {
            // "" for the null sender: present but empty (RFC 9990 §3.1.1.10).
            xml.element("envelope_from", r.envelopeFrom());
        } else if (legacy) {
            xml.element("envelope_from", "");
        }
        xml.end();
        xml.start("auth_results");
        for (DkimAuth d : r.dkim()) {
            xml.start("dkim");
            xml.element("domain", d.domain());
            xml.element("selector", d.selector());
            xml.element("result", d.result());
            xml.end();
        }
        SpfAuth spf = r.spf();
        if (spf != null) {
            xml.start("spf");
            xml.element("domain", spf.domain());
            // RFC 9990 §3.1.1.13: scope is optional and can only be mfrom; RFC 7489 requires it.
            xml.element("scope", "mfrom");
            xml.element("result", legacy ? legacySpfResult(spf.result()) : spf.result());
            xml.end();
        } else if (legacy) {
            // RFC 7489 Appendix C: "There will always be at least one SPF result."
            xml.start("spf");
            xml.element(
                    "domain",
                    r.envelopeFrom() == null || r.envelopeFrom().isEmpty() ? r.headerFrom() : r.envelopeFrom());
            xml.element("scope", "mfrom");
            xml.element("result", "none");
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
