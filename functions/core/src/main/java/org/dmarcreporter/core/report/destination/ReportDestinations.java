package org.dmarcreporter.core.report.destination;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.dmarcreporter.core.address.DomainNames;
import org.dmarcreporter.core.discovery.DmarcRecordLookup;
import org.dmarcreporter.core.discovery.PolicyDiscovery;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.record.ReportUri;
import org.dmarcreporter.core.report.mail.MailAddresses;
import org.dmarcreporter.core.settings.ReportingSettings;

/**
 * Which addresses get a report, from the URI list of the record that applied: {@code mailto:}
 * URIs only, in record order (RFC 9990 §3.5, RFC 9991 §5.1), at most {@code maxRecipients}
 * addresses, and each destination outside the policy domain's Organizational Domain verified through
 * {@code <policy-domain>._report._dmarc.<destination-host>} first (RFC 9990 §4, RFC 9991 §5).
 * The same rules serve aggregate and failure reports. DNS answers come through the resolver's
 * cache, so a nightly run over many domains asks each question once per TTL (RFC 9989 §11.6).
 */
public final class ReportDestinations {

    private final DnsResolver dns;
    private final PolicyDiscovery discovery;

    public ReportDestinations(DnsResolver dns) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.discovery = new PolicyDiscovery(new DmarcRecordLookup(dns));
    }

    /**
     * One {@link Destination} per URI of {@code uris}, in order (several for a URI whose
     * authorizing record overrides it, RFC 9990 §4 step 9).
     *
     * <p>The limit counts the addresses used, not the URIs looked at: each {@link Destination.Send}
     * takes a slot, and so does each {@link Destination.Defer} (a destination waiting for a DNS
     * answer keeps its place, so the choice does not change from one run to the next when the
     * answer comes). A skipped URI takes none, and an address already chosen takes no second slot.
     * Once the slots are taken, the remaining {@code mailto:} URIs, and any addresses of an
     * override beyond them, are skipped without further DNS questions.
     *
     * @param policyDomain  where the applied record was found (RFC 9990 §4 step 2)
     * @param maxRecipients at most this many addresses are used; 0 for no limit
     */
    public List<Destination> choose(ReportKind kind, String policyDomain, List<ReportUri> uris, int maxRecipients) {
        List<Destination> out = new ArrayList<>(uris.size());
        String beyond = "beyond maxReportRecipients (" + maxRecipients + ")";
        Set<String> used = new HashSet<>();
        for (ReportUri uri : uris) {
            if (!uri.isMailto()) {
                // RFC 9989 §4.7: URI schemes a receiver does not support are ignored.
                out.add(new Destination.Skip(uri.uri(), NOT_MAILTO));
                continue;
            }
            if (maxRecipients > 0 && used.size() >= maxRecipients) {
                out.add(new Destination.Skip(uri.uri(), beyond));
                continue;
            }
            for (Destination d : check(kind, policyDomain, uri)) {
                String slot = d instanceof Destination.Send s
                        ? ReportingSettings.normalizeAddress(s.mailbox())
                        : d instanceof Destination.Defer f ? "defer " + f.uri() : null;
                if (slot == null || used.contains(slot)) {
                    out.add(d);
                } else if (maxRecipients > 0 && used.size() >= maxRecipients) {
                    out.add(new Destination.Skip(d.uri(), beyond));
                } else {
                    used.add(slot);
                    out.add(d);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Why {@code uri} can never get a report, from the URI alone (no DNS): a scheme other than
     * {@code mailto:} (RFC 9989 §4.7: ignored), an address mail cannot be sent to, or a host that
     * is not a host name. Null when it may be used. The aggregate report names these problems of
     * the record in its {@code error} element ({@code RecordErrors}).
     */
    public static String neverUsable(ReportUri uri) {
        if (!uri.isMailto()) {
            return NOT_MAILTO;
        }
        String mailbox;
        try {
            mailbox = MailAddresses.requireValid(uri.mailbox());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        String host = host(mailbox);
        return DomainNames.normalize(host).isEmpty() ? "'" + host + "' is not a host name" : null;
    }

    private static final String NOT_MAILTO = "only mailto: URIs are supported";

    private static String host(String mailbox) {
        return mailbox.substring(mailbox.lastIndexOf('@') + 1);
    }

    private List<Destination> check(ReportKind kind, String policyDomain, ReportUri uri) {
        String problem = neverUsable(uri);
        if (problem != null) {
            return List.of(new Destination.Skip(uri.uri(), problem));
        }
        String mailbox = MailAddresses.requireValid(uri.mailbox());
        Optional<String> destination = DomainNames.normalize(host(mailbox));
        String ours = discovery.organizationalDomain(policyDomain);
        String theirs = discovery.organizationalDomain(destination.get());
        if (ours == null || theirs == null) {
            return List.of(new Destination.Defer(uri.uri(), "the Organizational Domain lookup failed temporarily"));
        }
        if (ours.equals(theirs)) {
            return List.of(new Destination.Send(uri.uri(), mailbox, false, uri.maxBytes()));
        }
        return ExternalVerification.verify(dns, kind, policyDomain, destination.get(), uri, mailbox);
    }
}
