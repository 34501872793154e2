package org.dmarcreporter.core.report.arf;

import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.dmarcreporter.core.model.AuthenticationResult;

/**
 * Never a failure report about a message that is itself a DMARC report (RFC 9991 §5.1, §8.1):
 * two receivers that both run this would otherwise answer each other's reports with reports. A
 * message is a report when its header block shows
 * <ul>
 *   <li>an aggregate report's Subject (RFC 9990 §3.5.2: {@code Report Domain: ... Submitter: ...};
 *       matched case-insensitively, since RFC 7489 senders write {@code Report domain:});</li>
 *   <li>a failure report's type: {@code multipart/report} with {@code report-type=feedback-report}
 *       (RFC 5965 §2, RFC 6522), or a top-level {@code message/feedback-report};</li>
 *   <li>a bare aggregate report: a top-level {@code application/gzip}, {@code application/zip} or
 *       {@code text/xml} body whose Subject names a report, or a {@code Content-Disposition} file
 *       name of the RFC 9990 form {@code receiver!domain!begin!end...}.</li>
 * </ul>
 * A result posted without {@code headers} cannot be recognised this way; {@code ignoreRecipients}
 * (docs/settings.md) covers our own report mailboxes.
 */
public final class ReportLoops {

    /** RFC 9990 §3.5.2 Subject grammar, literals case-insensitive here; leading text (Fwd:, [list]) allowed. */
    private static final Pattern AGGREGATE_SUBJECT =
            Pattern.compile("(?i)(?:^|\\s|:)Report\\s+Domain:\\s*\\S+\\s+Submitter:\\s*\\S+");

    /** RFC 9990 §3.5.2 file name: receiver!policy-domain!begin!end[!id].xml(.gz). */
    private static final Pattern AGGREGATE_FILE =
            Pattern.compile("(?i)[a-z0-9._-]+![a-z0-9._-]+![0-9]+![0-9]+(?:![a-z0-9]+)?\\.(?:xml|xml\\.gz|zip|gz)\\b");

    private static final Pattern FEEDBACK_TYPE =
            Pattern.compile("(?i)^\\s*multipart/report\\s*;.*report-type\\s*=\\s*\"?feedback-report\"?");

    private ReportLoops() {}

    /** True when {@code result}'s headers show a DMARC aggregate or failure report. */
    public static boolean isDmarcReport(AuthenticationResult result) {
        if (result == null || result.headers() == null) {
            return false;
        }
        HeaderBlock headers = HeaderBlock.parse(result.headers());
        String subject =
                capped(headers.first("Subject").map(ReportLoops::decoded).orElse(""));
        if (AGGREGATE_SUBJECT.matcher(subject).find()) {
            return true;
        }
        String type = headers.first("Content-Type").orElse("").replace("\r\n", " ");
        if (FEEDBACK_TYPE.matcher(type).find()) {
            return true;
        }
        String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (media.equals("message/feedback-report")) {
            return true;
        }
        // Capped: a file name is short, and the pattern must not be run over 64 KB of letters.
        String disposition = capped(headers.first("Content-Disposition").orElse(""));
        if (AGGREGATE_FILE.matcher(disposition).find()
                || AGGREGATE_FILE.matcher(capped(type)).find()) {
            return true;
        }
        return (media.equals("application/gzip") || media.equals("application/zip") || media.equals("text/xml"))
                && subject.toLowerCase(Locale.ROOT).contains("report");
    }

    private static String capped(String s) {
        return s.length() > 1024 ? s.substring(0, 1024) : s;
    }

    /** RFC 2047 encoded words decoded, so that an encoded Subject is recognised too. */
    private static String decoded(String value) {
        if (!value.contains("=?")) {
            return value;
        }
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }
}
