package org.dmarcreporter.core.report.destination;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dmarcreporter.core.address.DomainNames;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.record.DmarcRecordParser;
import org.dmarcreporter.core.record.RecordParseResult;
import org.dmarcreporter.core.record.ReportUri;
import org.dmarcreporter.core.report.mail.MailAddresses;

/** RFC 9990 §4 (and RFC 9991 §5 for {@code ruf}): may a domain outside ours receive the reports? */
final class ExternalVerification {

    private ExternalVerification() {}

    static List<Destination> verify(
            DnsResolver dns, ReportKind kind, String policyDomain, String host, ReportUri uri, String mailbox) {
        // §4 steps 2-4; a name over DNS limits cannot be authorized.
        String name = policyDomain + "._report._dmarc." + host;
        if (name.length() > 253) {
            return List.of(new Destination.Skip(
                    uri.uri(),
                    "external destination " + host + " cannot be verified: " + name + " is longer than DNS allows"));
        }
        TxtAnswer answer = dns.txt(name);
        if (answer.status() == DnsStatus.TEMPFAIL) {
            return List.of(new Destination.Defer(uri.uri(), "verifying " + name + " failed temporarily"));
        }
        // §4 steps 6-8: records that are tag-value lists starting with v=DMARC1 authorize.
        Optional<DmarcRecord> authorizing = answer.records().stream()
                .map(DmarcRecordParser::parse)
                .filter(RecordParseResult.Valid.class::isInstance)
                .map(r -> ((RecordParseResult.Valid) r).record())
                .findFirst();
        if (authorizing.isEmpty()) {
            return List.of(new Destination.Skip(
                    uri.uri(),
                    "external destination " + host + " has not authorized reports for " + policyDomain
                            + " (no v=DMARC1 record at " + name + ")"));
        }
        List<ReportUri> override = kind == ReportKind.AGGREGATE
                ? authorizing.get().aggregateUris()
                : authorizing.get().failureUris();
        if (override.isEmpty()) {
            return List.of(new Destination.Send(uri.uri(), mailbox, true, uri.maxBytes()));
        }
        return overridden(host, uri, override);
    }

    /**
     * §4 step 9: the authorizing record's own {@code rua}/{@code ruf} replaces the URI, but only
     * on the same host; if any of it points elsewhere, neither the original nor the override is used.
     */
    private static List<Destination> overridden(String host, ReportUri original, List<ReportUri> override) {
        List<Destination> out = new ArrayList<>(override.size());
        for (ReportUri o : override) {
            String mailbox;
            try {
                mailbox = o.isMailto() ? MailAddresses.requireValid(o.mailbox()) : null;
            } catch (IllegalArgumentException e) {
                mailbox = null;
            }
            Optional<String> overrideHost = mailbox == null
                    ? Optional.empty()
                    : DomainNames.normalize(mailbox.substring(mailbox.lastIndexOf('@') + 1));
            if (overrideHost.isEmpty() || !overrideHost.get().equals(host)) {
                return List.of(new Destination.Skip(
                        original.uri(),
                        "the authorizing record at " + host + " redirects reports to " + o.uri() + ", which is not on "
                                + host));
            }
            out.add(new Destination.Send(o.uri(), mailbox, true, o.maxBytes()));
        }
        return out;
    }
}
