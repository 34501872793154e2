package org.dmarcreporter.core.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dmarcreporter.core.address.AuthorDomains;
import org.dmarcreporter.core.address.DomainNames;
import org.dmarcreporter.core.address.EnvelopeAddresses;
import org.dmarcreporter.core.address.HeaderFromParser;
import org.dmarcreporter.core.discovery.DiscoveredPolicy;
import org.dmarcreporter.core.discovery.DmarcRecordLookup;
import org.dmarcreporter.core.discovery.MessageRecordSource;
import org.dmarcreporter.core.discovery.PolicyDiscovery;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.record.AlignmentMode;
import org.dmarcreporter.core.record.DmarcRecord;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.dmarcreporter.core.report.row.OverrideReason;
import org.dmarcreporter.core.report.row.ReportedDisposition;
import org.dmarcreporter.core.report.row.SpfAuth;

/**
 * Applies DMARC (RFC 9989 §5.3) to one message's SPF and DKIM results: finds the Author Domain and
 * its policy, checks identifier alignment and decides the disposition. Thread-safe; all state is
 * in the DNS resolver's cache.
 */
public final class DmarcEvaluator {

    /** RFC 9990 §3.1.3: report at most 100 signatures per row. */
    static final int MAX_REPORTED_SIGNATURES = 100;

    private static final OverrideReason TEMPORARY_ERROR =
            new OverrideReason("other", "temporary error: policy not applied");

    private final DnsResolver dns;
    private final DmarcRecordLookup records;

    public DmarcEvaluator(DnsResolver dns) {
        this.dns = dns;
        this.records = new DmarcRecordLookup(dns);
    }

    public Evaluation evaluate(AuthenticationResult result) {
        AuthorDomains from = HeaderFromParser.parse(result.headerFrom());
        if (from instanceof AuthorDomains.Invalid) {
            // No domain to evaluate: a permanent error of this message (RFC 9989 §5.3.1).
            return notApplied(DmarcResult.PERMERROR, null, result);
        }
        if (from instanceof AuthorDomains.Multiple) {
            // RFC 9989 §5.3.1: several RFC5322.From domains MUST be exempt from DMARC checking.
            return notApplied(DmarcResult.NONE, null, result);
        }
        String author = ((AuthorDomains.Single) from).domain();
        PolicyDiscovery discovery = new PolicyDiscovery(new MessageRecordSource(records));
        DiscoveredPolicy discovered = discovery.discover(author);
        if (discovered instanceof DiscoveredPolicy.TempError) {
            return notApplied(DmarcResult.TEMPERROR, author, result);
        }
        if (!(discovered instanceof DiscoveredPolicy.Found found)) {
            return notApplied(DmarcResult.NONE, author, result); // RFC 9989 §4.10.1: MUST NOT apply DMARC
        }
        DmarcRecord record = found.record();
        if (!record.policyValid() && !record.hasAggregateUri()) {
            // RFC 9989 §4.10.1: invalid p/sp/np and no valid rua: no DMARC processing at all.
            return notApplied(DmarcResult.NONE, author, result);
        }
        return new MessageEvaluation(result, author, found, discovery).evaluate();
    }

    /**
     * A message that could not be evaluated in time (its DNS was not asked): {@code temperror},
     * no policy applied.
     */
    public static Evaluation temporaryError(AuthenticationResult result) {
        return notApplied(DmarcResult.TEMPERROR, null, result);
    }

    private static Evaluation notApplied(DmarcResult dmarc, String author, AuthenticationResult result) {
        return new Evaluation(
                dmarc,
                author,
                null,
                null,
                Policy.NONE,
                Policy.NONE,
                ReportedDisposition.NONE,
                false,
                false,
                List.of(),
                envelopeDomain(result),
                List.of(),
                null);
    }

    /** The MAIL FROM domain: {@code ""} for the null sender, null when not given or unusable. */
    static String envelopeDomain(AuthenticationResult result) {
        String envelopeFrom = result.envelopeFrom();
        if (envelopeFrom == null) {
            if (result.spf() != null
                    && result.spf().scope() == SpfScope.MFROM
                    && result.spf().domain() != null) {
                return DomainNames.normalize(result.spf().domain()).orElse(null);
            }
            return null;
        }
        return EnvelopeAddresses.domainOf(envelopeFrom).orElse(null); // "" is the null sender
    }

    /** The work for one message; holds the Organizational Domains it already looked up. */
    private final class MessageEvaluation {
        private final AuthenticationResult result;
        private final String author;
        private final DiscoveredPolicy.Found found;
        private final DmarcRecord record;
        private final PolicyDiscovery discovery;
        private final Map<String, Optional<String>> orgDomains = new HashMap<>(4);
        private boolean alignmentTempError;
        private boolean dkimTempOnAligned;

        MessageEvaluation(
                AuthenticationResult result, String author, DiscoveredPolicy.Found found, PolicyDiscovery discovery) {
            this.result = result;
            this.author = author;
            this.found = found;
            this.record = found.record();
            this.discovery = discovery;
        }

        Evaluation evaluate() {
            String envelopeDomain = envelopeDomain(result);
            List<DkimAuth> dkimResults = new ArrayList<>(result.dkim().size());
            boolean dkimAligned = evaluateDkim(dkimResults);
            SpfIdentity spf = spfIdentity(envelopeDomain);
            boolean spfAligned = spf != null
                    && spf.check().result() == SpfResult.PASS
                    && aligned(record.spfAlignment(), spf.domain());
            boolean spfTemp = spf != null
                    && spf.check().result() == SpfResult.TEMPERROR
                    && aligned(record.spfAlignment(), spf.domain());

            DmarcResult dmarc;
            if (dkimAligned || spfAligned) {
                dmarc = DmarcResult.PASS;
            } else if (dkimTempOnAligned || spfTemp || alignmentTempError) {
                // RFC 9989 §5.3: no aligned pass and a temporary error: the policy cannot be applied.
                dmarc = DmarcResult.TEMPERROR;
            } else {
                dmarc = DmarcResult.FAIL;
            }

            Policy requested = dmarc == DmarcResult.PASS ? publishedPolicy(false) : publishedPolicy(true);
            if (requested == null) {
                // Whether the Author Domain exists could not be learned, and it decides sp vs np.
                requested = record.existingSubdomainPolicy();
                if (dmarc == DmarcResult.FAIL) {
                    dmarc = DmarcResult.TEMPERROR;
                }
            }
            Policy disposition = Policy.NONE;
            ReportedDisposition reported;
            List<OverrideReason> reasons = new ArrayList<>(1);
            switch (dmarc) {
                case PASS -> reported = requested == Policy.NONE ? ReportedDisposition.NONE : ReportedDisposition.PASS;
                case FAIL -> {
                    disposition = requested;
                    if (record.testMode() && requested != Policy.NONE) {
                        // RFC 9989 §4.7 t=y: one level lower; RFC 9990 §3.1.6 reports it as policy_test_mode.
                        disposition = requested.testModeDowngrade();
                        reasons.add(OverrideReason.POLICY_TEST_MODE);
                    }
                    reported = reportedFor(disposition);
                }
                default -> {
                    reported = ReportedDisposition.NONE;
                    if (requested != Policy.NONE) {
                        reasons.add(TEMPORARY_ERROR); // RFC 9990 §3.1.1.9: say why the policy was not applied
                    }
                }
            }
            return new Evaluation(
                    dmarc,
                    author,
                    found.policyDomain(),
                    record,
                    requested,
                    disposition,
                    reported,
                    dkimAligned,
                    spfAligned,
                    reasons,
                    envelopeDomain,
                    dkimResults,
                    spf == null
                            ? null
                            : new SpfAuth(
                                    spf.domain(),
                                    SpfScope.MFROM.token(),
                                    spf.check().result().token()));
        }

        /** Fills {@code out} in RFC 9990 §3.1.3 order and tells whether any signature is an aligned pass. */
        private boolean evaluateDkim(List<DkimAuth> out) {
            List<DkimAuth> strictPass = new ArrayList<>(2);
            List<DkimAuth> relaxedPass = new ArrayList<>(1);
            List<DkimAuth> otherPass = new ArrayList<>(1);
            List<DkimAuth> failed = new ArrayList<>(1);
            boolean anyAligned = false;
            for (DkimCheck sig : result.dkim()) {
                String d = sig.domain() == null
                        ? null
                        : DomainNames.normalize(sig.domain()).orElse(null);
                DkimAuth auth = new DkimAuth(
                        d == null ? sig.domain() : d,
                        sig.selector() == null ? "" : sig.selector(),
                        sig.result().token());
                if (sig.result() == DkimResult.PASS && d != null) {
                    if (d.equals(author)) {
                        strictPass.add(auth);
                        anyAligned = true;
                    } else if (aligned(record.dkimAlignment(), d)) {
                        relaxedPass.add(auth);
                        anyAligned = true;
                    } else {
                        otherPass.add(auth);
                    }
                } else {
                    if (sig.result() == DkimResult.TEMPERROR && d != null && aligned(record.dkimAlignment(), d)) {
                        dkimTempOnAligned = true;
                    }
                    failed.add(auth);
                }
            }
            if (record.dkimAlignment() == AlignmentMode.STRICT && otherPass.size() > 1) {
                // RFC 9990 §3.1.3 orders passes by relaxed alignment whatever adkim says (it does
                // not make them count for DMARC under adkim=s). That changes the order only among
                // two or more such passes, so only then are Organizational Domains looked up.
                for (Iterator<DkimAuth> it = otherPass.iterator(); it.hasNext(); ) {
                    DkimAuth a = it.next();
                    if (relaxedAligned(a.domain())) {
                        relaxedPass.add(a);
                        it.remove();
                    }
                }
            }
            for (List<DkimAuth> group : List.of(strictPass, relaxedPass, otherPass, failed)) {
                for (DkimAuth a : group) {
                    if (out.size() == MAX_REPORTED_SIGNATURES) {
                        return anyAligned;
                    }
                    out.add(a);
                }
            }
            return anyAligned;
        }

        /**
         * The SPF-authenticated identity DMARC may use (RFC 9989 §4.4.2): the MAIL FROM domain; for
         * the null sender the HELO identity (RFC 7208 §2.4). A HELO check for a message with a
         * real MAIL FROM is never used. Null when there is none.
         */
        private SpfIdentity spfIdentity(String envelopeDomain) {
            SpfCheck spf = result.spf();
            if (spf == null) {
                return null;
            }
            boolean nullSender = "".equals(envelopeDomain);
            if (spf.scope() == SpfScope.HELO && !nullSender) {
                return null;
            }
            String domain = spf.domain() != null
                    ? DomainNames.normalize(spf.domain()).orElse(null)
                    : nullSender
                            ? (result.helo() == null
                                    ? null
                                    : DomainNames.normalize(result.helo()).orElse(null))
                            : envelopeDomain;
            return domain == null || domain.isEmpty() ? null : new SpfIdentity(spf, domain);
        }

        private boolean aligned(AlignmentMode mode, String domain) {
            if (domain.equals(author)) {
                return true;
            }
            if (mode == AlignmentMode.STRICT) {
                return false; // RFC 9989 §4.4: strict alignment is an exact (case-insensitive) match
            }
            String a = orgDomain(author);
            String b = orgDomain(domain);
            if (a == null || b == null) {
                alignmentTempError = true;
                return false;
            }
            return a.equals(b);
        }

        /**
         * Relaxed alignment for ordering only: a failed Organizational Domain lookup just means
         * "not aligned" here and, unlike {@link #aligned}, sets no temporary error, since the
         * order must not change the DMARC result.
         */
        private boolean relaxedAligned(String domain) {
            String a = orgDomain(author);
            String b = orgDomain(domain);
            return a != null && a.equals(b);
        }

        private String orgDomain(String name) {
            return orgDomains
                    .computeIfAbsent(name, n -> Optional.ofNullable(discovery.organizationalDomain(n)))
                    .orElse(null);
        }

        /**
         * The policy asked for this message (RFC 9989 §4.10.1): {@code p} for the Author Domain's
         * own record; else {@code sp}, or {@code np} when the Author Domain does not exist. A
         * record with an invalid p/sp/np but a valid rua counts as {@code p=none}. Null when
         * existence mattered and could not be learned.
         */
        private Policy publishedPolicy(boolean needed) {
            if (!record.policyValid()) {
                return Policy.NONE;
            }
            if (found.atAuthorDomain()) {
                return record.policy();
            }
            Policy existing = record.existingSubdomainPolicy();
            Policy nonExistent = record.nonExistentSubdomainPolicy();
            if (existing == nonExistent || !needed) {
                return existing;
            }
            DnsStatus status = dns.exists(author);
            if (status == DnsStatus.TEMPFAIL) {
                return null;
            }
            return status == DnsStatus.NXDOMAIN ? nonExistent : existing;
        }
    }

    private static ReportedDisposition reportedFor(Policy policy) {
        return switch (policy) {
            case NONE -> ReportedDisposition.NONE;
            case QUARANTINE -> ReportedDisposition.QUARANTINE;
            case REJECT -> ReportedDisposition.REJECT;
        };
    }

    private record SpfIdentity(SpfCheck check, String domain) {}
}
