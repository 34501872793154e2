package org.dmarcreporter.core.report.arf;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.DmarcResult;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;
import org.dmarcreporter.core.model.Verdict;
import org.dmarcreporter.core.report.trigger.FailureCandidate;
import org.dmarcreporter.core.report.trigger.FailureTrigger;

/** Failure candidates for the report tests: a forged message "from" example.com. */
public final class Candidates {

    public static final Instant RECEIVED = Instant.parse("2026-12-01T10:15:30Z");
    public static final Instant STORED = Instant.parse("2026-12-01T10:15:31Z");
    public static final String RECORD =
            "v=DMARC1; p=reject; ruf=mailto:ruf@example.com,mailto:f@vendor.example; fo=1:d:s";

    public static final String HEADERS = "Received: from mail.forger.example (mail.forger.example [192.0.2.7])\r\n"
            + "\tby mx.receiver.example with ESMTPS id 4Xy for <alice@receiver.example>;\r\n"
            + "\tTue, 1 Dec 2026 10:15:29 +0000\r\n"
            + "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel1; i=news@example.com; r=y;\r\n"
            + "\th=from:subject; bh=abc=; b=def=\r\n"
            + "From: Example News <news@example.com>\r\n"
            + "To: Alice <alice@receiver.example>\r\n"
            + "Subject: Your account\r\n"
            + "Date: Tue, 1 Dec 2026 10:15:28 +0000\r\n"
            + "Message-ID: <m1@mail.forger.example>\r\n"
            + "\r\n"
            + "Body text that must never be reported.\r\n";

    private Candidates() {}

    public static AuthenticationResult result(String headers) {
        return new AuthenticationResult(
                "<m1@mail.forger.example>",
                RECEIVED,
                "192.0.2.7",
                54321,
                "mail.forger.example",
                "bounce@example.com",
                List.of("alice@receiver.example", "bob@receiver.example"),
                "Example News <news@example.com>",
                new SpfCheck(SpfResult.FAIL, "example.com", SpfScope.MFROM),
                List.of(
                        new DkimCheck(DkimResult.FAIL, "example.com", "sel1", true),
                        new DkimCheck(DkimResult.PASS, "esp.example.net", "k1", false)),
                headers);
    }

    public static FailureCandidate candidate(
            AuthenticationResult result, Set<FailureTrigger> triggers, boolean dkimAligned, boolean spfAligned) {
        return candidate(RECORD, result, triggers, dkimAligned, spfAligned);
    }

    public static FailureCandidate candidate(
            String record,
            AuthenticationResult result,
            Set<FailureTrigger> triggers,
            boolean dkimAligned,
            boolean spfAligned) {
        DmarcResult dmarc = dkimAligned || spfAligned ? DmarcResult.PASS : DmarcResult.FAIL;
        return new FailureCandidate(
                "cand-1",
                "example.com",
                record,
                triggers,
                result,
                new Verdict(
                        result.messageId(),
                        "example.com",
                        dmarc,
                        dmarc == DmarcResult.PASS ? Policy.NONE : Policy.REJECT,
                        dkimAligned,
                        spfAligned),
                STORED);
    }

    /** The usual case: DMARC failed (no aligned pass), fo=1:d:s matched everything. */
    public static FailureCandidate forged() {
        return candidate(
                result(HEADERS),
                Set.of(
                        FailureTrigger.DMARC_ALL_FAILED,
                        FailureTrigger.DMARC_ANY_FAILED,
                        FailureTrigger.DKIM_FAILED,
                        FailureTrigger.SPF_FAILED),
                false,
                false);
    }

    public static ArfMessage.Sender sender() {
        return new ArfMessage.Sender(
                "noreply@reporter.example", "bounces@reporter.example", "reporter.example", "dmarc-reporter/0.1.0");
    }
}
