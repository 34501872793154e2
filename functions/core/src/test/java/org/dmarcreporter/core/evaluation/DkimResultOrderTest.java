package org.dmarcreporter.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.report.row.DkimAuth;
import org.junit.jupiter.api.Test;

/**
 * The order of a row's DKIM results (RFC 9990 §3.1.3): passes in strict alignment with the From
 * domain, then passes in relaxed alignment, then other passes, then the rest, whatever adkim says.
 */
class DkimResultOrderTest {

    private static final List<DkimCheck> SIGNATURES = List.of(
            new DkimCheck(DkimResult.FAIL, "example.com", "f", false),
            new DkimCheck(DkimResult.PASS, "other.example", "o", false),
            new DkimCheck(DkimResult.PASS, "mail.example.com", "r", false),
            new DkimCheck(DkimResult.PASS, "example.com", "s", false));

    @Test
    void underStrictAlignmentARelaxedAlignedPassStillComesBeforeOtherPasses() {
        Evaluation e = evaluate(ZoneFileResolver.fromText(zone("v=DMARC1; p=reject; adkim=s")), SIGNATURES);

        assertThat(e.dkimResults()).extracting(DkimAuth::selector).containsExactly("s", "r", "o", "f");
        assertThat(e.result()).isEqualTo(DmarcResult.PASS);
    }

    @Test
    void underStrictAlignmentARelaxedAlignedPassDoesNotMakeDmarcPass() {
        Evaluation e = evaluate(
                ZoneFileResolver.fromText(zone("v=DMARC1; p=reject; adkim=s")),
                List.of(
                        new DkimCheck(DkimResult.PASS, "other.example", "o", false),
                        new DkimCheck(DkimResult.PASS, "mail.example.com", "r", false)));

        assertThat(e.dkimResults()).extracting(DkimAuth::selector).containsExactly("r", "o");
        assertThat(e.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(e.dkimAligned()).isFalse();
    }

    @Test
    void underRelaxedAlignmentTheOrderIsTheSame() {
        Evaluation e = evaluate(ZoneFileResolver.fromText(zone("v=DMARC1; p=reject")), SIGNATURES);

        assertThat(e.dkimResults()).extracting(DkimAuth::selector).containsExactly("s", "r", "o", "f");
    }

    @Test
    void underStrictAlignmentAFailedLookupForOrderingLeavesTheVerdictAlone() {
        DnsResolver zone = ZoneFileResolver.fromText(zone("v=DMARC1; p=reject; adkim=s"));
        DnsResolver failing = new DnsResolver() {
            @Override
            public TxtAnswer txt(String name) {
                return name.toLowerCase().startsWith("_dmarc.mail.example.com") ? TxtAnswer.TEMPFAIL : zone.txt(name);
            }

            @Override
            public DnsStatus exists(String name) {
                return zone.exists(name);
            }
        };

        Evaluation e = evaluate(
                failing,
                List.of(
                        new DkimCheck(DkimResult.PASS, "other.example", "o", false),
                        new DkimCheck(DkimResult.PASS, "mail.example.com", "r", false)));

        // adkim=s never needs the Organizational Domain: the message fails, it is no temperror.
        assertThat(e.result()).isEqualTo(DmarcResult.FAIL);
        assertThat(e.dkimResults()).extracting(DkimAuth::selector).containsExactly("o", "r");
    }

    private static String zone(String record) {
        return "$ORIGIN .\n$TTL 300\n_dmarc.example.com. IN TXT \"" + record + "\"\n";
    }

    private static Evaluation evaluate(DnsResolver dns, List<DkimCheck> dkim) {
        return new DmarcEvaluator(dns)
                .evaluate(new AuthenticationResult(
                        "m", null, "192.0.2.1", null, null, null, null, "a@example.com", null, dkim, null));
    }
}
