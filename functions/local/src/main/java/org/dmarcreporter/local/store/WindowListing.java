package org.dmarcreporter.local.store;

import java.util.List;
import org.dmarcreporter.core.report.run.DeliveryState;

/**
 * One reporting window as {@code GET /v1/reports} lists it ({@code docs/send-now.md}): pending
 * with what it counts so far, or reported with its marker; and each recipient's delivery state.
 *
 * @param state      {@code pending} or {@code reported}
 * @param rows       distinct report rows counted (pending only, else null)
 * @param messages   messages counted, the sum of the rows' counts (pending only, else null)
 * @param reportId   the report id (reported only)
 * @param outcome    the marker's outcome text, e.g. "reported" or "not-sent: ..." (reported only)
 * @param reportedAt epoch second it was marked (reported only)
 * @param recipients in recipient order; empty before the first attempt
 */
public record WindowListing(
        String domain,
        long windowStart,
        String state,
        Long rows,
        Long messages,
        String reportId,
        String outcome,
        Long reportedAt,
        List<Recipient> recipients) {

    public static final String PENDING = "pending";
    public static final String REPORTED = "reported";

    public WindowListing {
        recipients = List.copyOf(recipients);
    }

    /**
     * What became of one recipient.
     *
     * @param recipient the lower-cased mailbox (or the rua URI of a destination not decided yet)
     * @param status    {@code sent}, {@code failed} or {@code given-up}
     * @param reason    why it failed or was given up on (null when sent)
     * @param sentAt    epoch second it was sent (sent only)
     * @param nextRetry epoch second of the next try (failed only)
     */
    public record Recipient(String recipient, String status, String reason, int attempts, Long sentAt, Long nextRetry) {

        public static Recipient of(String recipient, DeliveryState state) {
            if (state instanceof DeliveryState.Sent s) {
                return new Recipient(recipient, "sent", null, s.attempts(), s.at(), null);
            }
            if (state instanceof DeliveryState.Failed f) {
                return new Recipient(recipient, "failed", f.reason(), f.attempts(), null, f.nextRetry());
            }
            DeliveryState.GivenUp g = (DeliveryState.GivenUp) state;
            return new Recipient(recipient, "given-up", g.reason(), g.attempts(), null, null);
        }
    }
}
