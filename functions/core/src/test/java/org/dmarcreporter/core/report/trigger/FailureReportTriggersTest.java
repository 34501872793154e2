package org.dmarcreporter.core.report.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.evaluation.DmarcEvaluator;
import org.dmarcreporter.core.evaluation.Evaluation;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureReportTriggersTest {

    private static Set<FailureTrigger> triggers(
            String fo, String ruf, SpfResult spf, DkimResult alignedDkim, DkimResult otherDkim) {
        String record =
                "v=DMARC1; p=reject" + (ruf.isEmpty() ? "" : "; ruf=" + ruf) + (fo.isEmpty() ? "" : "; fo=" + fo);
        DmarcEvaluator evaluator = new DmarcEvaluator(
                ZoneFileResolver.fromText("$ORIGIN .\n_dmarc.example.com. TXT \"" + record + "\"\n"));
        AuthenticationResult result = new AuthenticationResult(
                null,
                null,
                "192.0.2.1",
                null,
                null,
                "b@example.com",
                List.of(),
                "a@example.com",
                new SpfCheck(spf, "example.com", SpfScope.MFROM),
                List.of(
                        new DkimCheck(alignedDkim, "example.com", "s", false),
                        new DkimCheck(otherDkim, "other.example", "s", false)),
                null);
        Evaluation evaluation = evaluator.evaluate(result);
        return FailureReportTriggers.matching(evaluation, result);
    }

    @ParameterizedTest(name = "fo={0} spf={2} dkim={3}/{4} -> {5}")
    @CsvSource({
        // fo, ruf, spf, aligned dkim, unaligned dkim, expected
        "'', mailto:f@example.com, FAIL, FAIL, PASS, DMARC_ALL_FAILED",
        "0, mailto:f@example.com, PASS, FAIL, PASS, ''",
        "1, mailto:f@example.com, PASS, FAIL, PASS, DMARC_ANY_FAILED",
        "1, mailto:f@example.com, PASS, PASS, PASS, ''",
        "d, mailto:f@example.com, PASS, PASS, FAIL, DKIM_FAILED",
        "d, mailto:f@example.com, FAIL, PASS, PASS, ''",
        "s, mailto:f@example.com, FAIL, PASS, PASS, SPF_FAILED",
        "1:d:s, mailto:f@example.com, FAIL, PASS, FAIL, DMARC_ANY_FAILED DKIM_FAILED SPF_FAILED",
        "0:d, mailto:f@example.com, FAIL, FAIL, NONE, DMARC_ALL_FAILED DKIM_FAILED",
        "1:d:s, '', FAIL, FAIL, FAIL, ''",
    })
    void matchesTheFailureOptionsTheDomainAskedFor(
            String fo, String ruf, SpfResult spf, DkimResult aligned, DkimResult other, String expected) {
        Set<FailureTrigger> want = expected.isBlank()
                ? Set.of()
                : Set.copyOf(java.util.Arrays.stream(expected.split(" "))
                        .map(FailureTrigger::valueOf)
                        .toList());
        assertThat(triggers(fo, ruf, spf, aligned, other)).isEqualTo(want);
    }
}
