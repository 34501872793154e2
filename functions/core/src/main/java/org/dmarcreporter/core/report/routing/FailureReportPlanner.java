package org.dmarcreporter.core.report.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.dmarcreporter.core.address.AuthorDomains;
import org.dmarcreporter.core.address.DomainNames;
import org.dmarcreporter.core.address.HeaderFromParser;
import org.dmarcreporter.core.discovery.DmarcRecordLookup;
import org.dmarcreporter.core.discovery.PolicyDiscovery;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.PsdFlag;
import org.dmarcreporter.core.record.RecordParseResult;
import org.dmarcreporter.core.report.arf.AuthFailure;
import org.dmarcreporter.core.report.arf.DkimIdentity;
import org.dmarcreporter.core.report.arf.FeedbackReport;
import org.dmarcreporter.core.report.arf.FeedbackReports;
import org.dmarcreporter.core.report.arf.ReportLoops;
import org.dmarcreporter.core.report.arf.SpfDns;
import org.dmarcreporter.core.report.destination.Destination;
import org.dmarcreporter.core.report.destination.ReportDestinations;
import org.dmarcreporter.core.report.destination.ReportKind;
import org.dmarcreporter.core.report.mail.MailAddresses;
import org.dmarcreporter.core.report.mechanism.DkimReportRequests;
import org.dmarcreporter.core.report.mechanism.ReportRequest;
import org.dmarcreporter.core.report.mechanism.Sampler;
import org.dmarcreporter.core.report.mechanism.SpfReportRequests;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;

/**
 * Turns one failure candidate into the reports it asks for (RFC 9989 §4.7 {@code fo}; RFC 9991
 * §2-4; RFC 6651; RFC 6652):
 * <ul>
 *   <li>{@code fo=0}/{@code fo=1} matched: a DMARC failure report ({@code Auth-Failure: dmarc})
 *       to each usable {@code ruf} address and to {@code copyReportsTo};</li>
 *   <li>{@code fo=s} matched: an SPF failure report ({@code Auth-Failure: spf}) to {@code ruf};
 *       and, when the SPF record of the domain SPF checked has RFC 6652 {@code ra=} and asks
 *       for this failure type ({@code rr=}), one to {@code ra@<that domain>}, sampled at {@code rp=};</li>
 *   <li>{@code fo=d} matched: a DKIM failure report per failed signature (at most
 *       {@value #MAX_SIGNATURES}) to {@code ruf}; and, for a signature with {@code r=y} whose
 *       {@code _report._domainkey.<d=>} record has {@code ra=} and asks for this failure type, one
 *       to {@code ra@<d=>}, sampled at {@code rp=}.</li>
 * </ul>
 * Nothing at all for a message that is itself a DMARC report ({@link ReportLoops}) or for a
 * record with {@code psd=y} (RFC 9991 §2). RFC 6651/6652 reports are only ever sent from here,
 * that is, within DMARC processing and when their records exist. DNS goes through the resolver
 * given (cached in production).
 */
public final class FailureReportPlanner {

    /** A forged message may carry many failed signatures: at most this many DKIM reports per message. */
    public static final int MAX_SIGNATURES = 5;

    private final DnsResolver dns;
    private final Sampler sampler;
    private final String authServId;
    private final ReportDestinations destinations;
    private final PolicyDiscovery discovery;

    /**
     * @param sampler    decides the {@code rp} samples ({@link Sampler#byKey()} in production)
     * @param authServId our {@code orgName}, the authserv-id of {@code Authentication-Results}
     */
    public FailureReportPlanner(DnsResolver dns, Sampler sampler, String authServId) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.authServId = Objects.requireNonNull(authServId, "authServId");
        this.destinations = new ReportDestinations(dns);
        this.discovery = new PolicyDiscovery(new DmarcRecordLookup(dns));
    }

    /**
     * @param maxRecipients {@code maxReportRecipients}: at most this many {@code ruf} URIs; 0 for all
     * @param copyTo        {@code copyReportsTo}
     */
    public FailureReportPlan plan(FailureCandidate candidate, int maxRecipients, List<String> copyTo) {
        List<String> notes = new ArrayList<>();
        AuthenticationResult result = candidate.result();
        if (ReportLoops.isDmarcReport(result)) {
            return empty("the message is itself a DMARC report: never reported on (RFC 9991 §5.1)");
        }
        RecordParseResult parsed = DmarcRecordParser.parse(candidate.policyRecord());
        if (!(parsed instanceof RecordParseResult.Valid valid)) {
            return empty("the stored DMARC record no longer parses: " + parsed);
        }
        DmarcRecord record = valid.record();
        if (record.psd() == PsdFlag.Y) {
            return empty("the record has psd=y: its ruf MUST NOT be used (RFC 9991 §2)");
        }
        String authorDomain = authorDomain(result, candidate.policyDomain());

        List<Destination> chosen =
                destinations.choose(ReportKind.FAILURE, candidate.policyDomain(), record.failureUris(), maxRecipients);
        Set<String> ruf = new LinkedHashSet<>();
        List<Destination> notSent = new ArrayList<>();
        for (Destination d : chosen) {
            if (d instanceof Destination.Send send) {
                ruf.add(send.mailbox());
            } else {
                notSent.add(d);
            }
        }

        List<PlannedReport> out = new ArrayList<>();
        Set<FailureTrigger> triggers = candidate.triggers();
        String spfDomain = normalized(FeedbackReports.spfDomain(result));
        SpfReportRequests.SpfRecord spfRecord = null;

        if (triggers.contains(FailureTrigger.DMARC_ALL_FAILED) || triggers.contains(FailureTrigger.DMARC_ANY_FAILED)) {
            DkimIdentity dkim = failedAlignedSignature(result, authorDomain, record.dkimAlignment());
            List<SpfDns> spfDns = List.of();
            if (result.spf() != null
                    && result.spf().result() != SpfResult.PASS
                    && spfDomain != null
                    && aligned(spfDomain, authorDomain, record.spfAlignment())) {
                spfRecord = SpfReportRequests.lookup(dns, spfDomain);
                spfDns = spfDns(spfDomain, spfRecord);
            }
            FeedbackReport report = FeedbackReports.dmarc(candidate, authorDomain, authServId, dkim, spfDns);
            for (String to : ruf) {
                out.add(new PlannedReport(report, to, PlannedReport.Route.RUF));
            }
            for (String copy : copyTo) {
                String to = safe(copy);
                if (to != null && !contains(ruf, to)) {
                    out.add(new PlannedReport(report, to, PlannedReport.Route.COPY));
                }
            }
        }

        if (triggers.contains(FailureTrigger.SPF_FAILED) && result.spf() != null && spfDomain != null) {
            if (spfRecord == null) {
                spfRecord = SpfReportRequests.lookup(dns, spfDomain);
            }
            List<SpfDns> spfDns = spfDns(spfDomain, spfRecord);
            FeedbackReport report = FeedbackReports.spf(candidate, authorDomain, authServId, spfDomain, spfDns, true);
            for (String to : ruf) {
                out.add(new PlannedReport(report, to, PlannedReport.Route.RUF));
            }
            Optional<ReportRequest> request = spfRecord.record().flatMap(SpfReportRequests::parse);
            if (request.isEmpty()) {
                notes.add(
                        spfRecord.status() == DnsStatus.TEMPFAIL
                                ? "the SPF record of " + spfDomain + " could not be read now: no RFC 6652 report"
                                : "no RFC 6652 ra= in the SPF record of " + spfDomain);
            } else {
                String to = safe(request.get().address(spfDomain));
                Set<String> types = SpfReportRequests.failureTypes(result.spf().result());
                if (to == null) {
                    notes.add("RFC 6652 ra= of " + spfDomain + " does not make a usable address");
                } else if (!request.get().wants(types)) {
                    notes.add("RFC 6652 rr= of " + spfDomain + " does not ask for "
                            + result.spf().result().token());
                } else if (!sampler.sample(
                        candidate.id() + "/spf/" + to, request.get().percent())) {
                    notes.add("RFC 6652 report to " + to + " sampled out (rp="
                            + request.get().percent() + ")");
                } else if (!contains(ruf, to)) {
                    out.add(new PlannedReport(
                            FeedbackReports.spf(candidate, authorDomain, authServId, spfDomain, spfDns, false),
                            to,
                            PlannedReport.Route.SPF_RA));
                }
            }
        }

        if (triggers.contains(FailureTrigger.DKIM_FAILED)) {
            int reported = 0;
            for (int i = 0; i < result.dkim().size() && reported < MAX_SIGNATURES; i++) {
                DkimCheck sig = result.dkim().get(i);
                String d = normalized(sig.domain());
                if (!failed(sig) || d == null) {
                    continue;
                }
                reported++;
                AuthFailure kind =
                        AuthFailure.SIGNATURE; // the ingest API gives no finer reason (docs/failure-reports.md)
                FeedbackReport report = FeedbackReports.dkim(candidate, authorDomain, authServId, sig, i, kind, true);
                for (String to : ruf) {
                    out.add(new PlannedReport(report, to, PlannedReport.Route.RUF));
                }
                if (!sig.reportRequested()) {
                    continue; // RFC 6651 §4.1: only a signature with r=y asks for reports
                }
                DkimReportRequests.Lookup lookup = DkimReportRequests.lookup(dns, d);
                if (lookup.request().isEmpty()) {
                    notes.add(
                            lookup.status() == DnsStatus.TEMPFAIL
                                    ? DkimReportRequests.recordName(d) + " could not be read now: no RFC 6651 report"
                                    : "no usable RFC 6651 record at " + DkimReportRequests.recordName(d));
                    continue;
                }
                ReportRequest request = lookup.request().get();
                String to = safe(request.address(d));
                if (to == null) {
                    notes.add("RFC 6651 ra= of " + d + " does not make a usable address");
                } else if (!request.wants(DkimReportRequests.failureTypes(sig.result(), kind))) {
                    notes.add("RFC 6651 rr= of " + d + " does not ask for this failure");
                } else if (!sampler.sample(candidate.id() + "/dkim/" + i + "/" + to, request.percent())) {
                    notes.add("RFC 6651 report to " + to + " sampled out (rp=" + request.percent() + ")");
                } else if (!contains(ruf, to)) {
                    out.add(new PlannedReport(
                            FeedbackReports.dkim(candidate, authorDomain, authServId, sig, i, kind, false),
                            to,
                            PlannedReport.Route.DKIM_RA));
                }
            }
        }
        return new FailureReportPlan(out, notSent, notes);
    }

    private static FailureReportPlan empty(String why) {
        return new FailureReportPlan(List.of(), List.of(), List.of(why));
    }

    private static boolean failed(DkimCheck sig) {
        return sig.result() == DkimResult.FAIL || sig.result() == DkimResult.PERMERROR;
    }

    /**
     * RFC 9991 §4: the DKIM fields are required when an aligned DKIM identifier failed: the first
     * failed signature whose {@code d=} is aligned, or null.
     */
    private DkimIdentity failedAlignedSignature(AuthenticationResult result, String authorDomain, AlignmentMode mode) {
        for (DkimCheck sig : result.dkim()) {
            String d = normalized(sig.domain());
            if (failed(sig) && d != null && aligned(d, authorDomain, mode)) {
                return DkimIdentity.of(d, sig.selector());
            }
        }
        return null;
    }

    /**
     * RFC 9989 §3.2.10: identical names (strict), or the same Organizational Domain (relaxed).
     * When the Organizational Domain cannot be found now, counts as aligned, so that the fields
     * RFC 9991 requires for aligned identifiers are never missing.
     */
    private boolean aligned(String domain, String authorDomain, AlignmentMode mode) {
        if (domain.equals(authorDomain)) {
            return true;
        }
        if (mode == AlignmentMode.STRICT) {
            return false;
        }
        String a = discovery.organizationalDomain(domain);
        String b = discovery.organizationalDomain(authorDomain);
        return a == null || b == null || a.equals(b);
    }

    private static List<SpfDns> spfDns(String domain, SpfReportRequests.SpfRecord record) {
        return record.record().map(r -> List.of(new SpfDns(domain, r))).orElse(List.of());
    }

    private static String authorDomain(AuthenticationResult result, String policyDomain) {
        if (result.headerFrom() != null
                && HeaderFromParser.parse(result.headerFrom()) instanceof AuthorDomains.Single s) {
            return s.domain();
        }
        return policyDomain;
    }

    private static String normalized(String domain) {
        return domain == null ? null : DomainNames.normalize(domain).orElse(null);
    }

    private static String safe(String address) {
        try {
            return MailAddresses.requireValid(address);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean contains(Set<String> addresses, String address) {
        String a = address.toLowerCase(Locale.ROOT);
        return addresses.stream().anyMatch(x -> x.toLowerCase(Locale.ROOT).equals(a));
    }
}
