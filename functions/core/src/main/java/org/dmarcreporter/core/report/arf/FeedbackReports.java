package org.dmarcreporter.core.report.arf;

import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.address.EnvelopeAddresses;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.trigger.FailureCandidate;

/**
 * Builds the report variants of one failure candidate: the DMARC failure report
 * ({@code Auth-Failure: dmarc}, RFC 9991 §4), the SPF failure report ({@code Auth-Failure: spf},
 * RFC 6652 / RFC 6591) and the DKIM failure report ({@code signature}/{@code bodyhash}/{@code revoked},
 * RFC 6651 / RFC 6591). Pure: DNS answers (SPF records) and alignment facts come in as arguments.
 */
public final class FeedbackReports {

    /** At most this many recipients are listed ({@code Original-Rcpt-To}) and signatures in Authentication-Results. */
    static final int MAX_LISTED = 50;

    private FeedbackReports() {}

    /**
     * The DMARC failure report.
     *
     * @param authorDomain      the RFC5322.From domain ({@code Reported-Domain})
     * @param authServId        our authserv-id in {@code Authentication-Results} (the {@code orgName})
     * @param failedAlignedDkim a failed signature whose {@code d=} is aligned with the author
     *                          domain: its DKIM fields are then required (RFC 9991 §4); else null
     * @param failedAlignedSpf  the SPF record(s) when the SPF identity is aligned and failed: the
     *                          {@code SPF-DNS} field is then required (RFC 9991 §4); else empty
     */
    public static FeedbackReport dmarc(
            FailureCandidate candidate,
            String authorDomain,
            String authServId,
            DkimIdentity failedAlignedDkim,
            List<SpfDns> failedAlignedSpf) {
        return base(
                candidate,
                candidate.id() + "/dmarc",
                AuthFailure.DMARC,
                identityAlignment(candidate.verdict()),
                authorDomain,
                authServId,
                authorDomain,
                failedAlignedDkim,
                failedAlignedSpf);
    }

    /**
     * The SPF failure report ({@code Auth-Failure: spf}) about the domain SPF checked.
     *
     * @param spfDomain    the domain SPF checked ({@code Reported-Domain})
     * @param spfRecords   the SPF record(s) found there ({@code SPF-DNS})
     * @param dmarcContext true when it goes to the DMARC {@code ruf} addresses ({@code fo=s}): it
     *                     then carries {@code Identity-Alignment}; false for RFC 6652 {@code ra=}
     */
    public static FeedbackReport spf(
            FailureCandidate candidate,
            String authorDomain,
            String authServId,
            String spfDomain,
            List<SpfDns> spfRecords,
            boolean dmarcContext) {
        return base(
                candidate,
                candidate.id() + "/spf",
                AuthFailure.SPF,
                dmarcContext ? identityAlignment(candidate.verdict()) : null,
                spfDomain,
                authServId,
                authorDomain,
                null,
                spfRecords);
    }

    /**
     * The DKIM failure report about one signature.
     *
     * @param index        the signature's position in the result (keeps keys apart for two signatures)
     * @param kind         {@link AuthFailure#SIGNATURE}, {@link AuthFailure#BODYHASH} or {@link AuthFailure#REVOKED}
     * @param dmarcContext as for {@link #spf}
     */
    public static FeedbackReport dkim(
            FailureCandidate candidate,
            String authorDomain,
            String authServId,
            DkimCheck signature,
            int index,
            AuthFailure kind,
            boolean dmarcContext) {
        if (!kind.isDkim()) {
            throw new IllegalArgumentException("not a DKIM failure kind: " + kind);
        }
        return base(
                candidate,
                candidate.id() + "/dkim/" + index,
                kind,
                dmarcContext ? identityAlignment(candidate.verdict()) : null,
                signature.domain(),
                authServId,
                authorDomain,
                DkimIdentity.of(signature.domain(), signature.selector()),
                List.of());
    }

    /**
     * RFC 9991 §4: the mechanisms that failed to produce an aligned pass ({@code dkim}, {@code spf}),
     * or {@code none}. (RFC 7489 used the field the other way round.)
     */
    public static String identityAlignment(Verdict verdict) {
        if (!verdict.dkimAligned() && !verdict.spfAligned()) {
            return "dkim, spf";
        }
        if (!verdict.dkimAligned()) {
            return "dkim";
        }
        if (!verdict.spfAligned()) {
            return "spf";
        }
        return "none";
    }

    private static FeedbackReport base(
            FailureCandidate candidate,
            String key,
            AuthFailure failure,
            String identityAlignment,
            String reportedDomain,
            String authServId,
            String authorDomain,
            DkimIdentity dkim,
            List<SpfDns> spfDns) {
        AuthenticationResult r = candidate.result();
        List<String> rcpt = r.envelopeTo().size() > MAX_LISTED ? r.envelopeTo().subList(0, MAX_LISTED) : r.envelopeTo();
        return new FeedbackReport(
                key,
                failure,
                identityAlignment,
                reportedDomain,
                r.envelopeFrom(),
                rcpt,
                r.receivedAt() != null ? r.receivedAt() : candidate.storedAt(),
                r.sourceIp(),
                r.sourcePort(),
                authenticationResults(authServId, candidate, authorDomain),
                dkim,
                spfDns,
                1,
                headerBlock(r));
    }

    /**
     * {@code Authentication-Results} (RFC 8601) from what was evaluated: the DMARC result, each
     * DKIM signature and SPF. Identities are domains only (never a local part).
     */
    static String authenticationResults(String authServId, FailureCandidate candidate, String authorDomain) {
        AuthenticationResult r = candidate.result();
        StringBuilder b = new StringBuilder(160);
        b.append(ArfText.value(authServId))
                .append("; dmarc=")
                .append(candidate.verdict().dmarc().token())
                .append(" header.from=")
                .append(ArfText.pvalue(authorDomain));
        if (r.dkim().isEmpty()) {
            b.append("; dkim=none");
        }
        int listed = 0;
        for (DkimCheck sig : r.dkim()) {
            if (listed++ == MAX_LISTED) {
                break;
            }
            b.append("; dkim=").append(sig.result().token());
            if (sig.domain() != null) {
                b.append(" header.d=").append(ArfText.pvalue(sig.domain()));
            }
            if (sig.selector() != null) {
                b.append(" header.s=").append(ArfText.pvalue(sig.selector()));
            }
        }
        SpfCheck spf = r.spf();
        if (spf == null) {
            b.append("; spf=none");
        } else {
            b.append("; spf=").append(spf.result().token());
            String domain = spfDomain(r);
            if (domain != null) {
                b.append(spf.scope() == SpfScope.HELO ? " smtp.helo=" : " smtp.mailfrom=")
                        .append(ArfText.pvalue(domain));
            }
        }
        return b.toString();
    }

    /** The domain SPF checked: as the receiver said, else the MAIL FROM domain, else the HELO name. */
    public static String spfDomain(AuthenticationResult r) {
        if (r.spf() != null && r.spf().domain() != null && !r.spf().domain().isBlank()) {
            return r.spf().domain();
        }
        if (r.spf() != null && r.spf().scope() == SpfScope.HELO) {
            return r.helo();
        }
        return EnvelopeAddresses.domainOf(r.envelopeFrom()).orElse(r.helo());
    }

    /**
     * The header block as posted, or, when the result came without one, a minimal block from
     * what we have (From and Message-ID), so that the report still has its third part.
     */
    static HeaderBlock headerBlock(AuthenticationResult r) {
        HeaderBlock posted = HeaderBlock.parse(r.headers());
        if (!posted.isEmpty()) {
            return posted;
        }
        List<HeaderBlock.Field> fields = new ArrayList<>(2);
        if (r.headerFrom() != null) {
            fields.add(new HeaderBlock.Field("From", " " + r.headerFrom()));
        }
        if (r.messageId() != null && !r.messageId().isBlank()) {
            String id = r.messageId().trim();
            fields.add(new HeaderBlock.Field("Message-ID", " " + (id.startsWith("<") ? id : "<" + id + ">")));
        }
        return HeaderBlock.of(fields);
    }
}
