package org.dmarcreporter.core.report.delivery;

import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * Sends one finished message (see docs/mail.md). Implementations: the local outbox, an SMTP relay
 * (local runtime) and SES v2 (AWS); one contract test suite runs against all of them.
 *
 * <p>Every implementation:
 * <ul>
 *   <li>sends {@link OutgoingMail#message()} unchanged, byte for byte, headers included;</li>
 *   <li>uses {@link OutgoingMail#envelopeFrom()} as the envelope sender and each of
 *       {@link OutgoingMail#recipients()} as an envelope recipient;</li>
 *   <li>answers with one {@link DeliveryOutcome} per distinct recipient, in the mail's order, and
 *       never throws for a failed delivery: a relay that is down, a throttled API, a refused
 *       recipient or a message over the destination's size limit are all outcomes;</li>
 *   <li>refuses, as a permanent failure of that recipient alone, an address that
 *       {@link org.dmarcreporter.core.report.mail.MailAddresses} does not accept, so nothing can be
 *       injected into an SMTP command or API call;</li>
 *   <li>is safe to call from several threads at once.</li>
 * </ul>
 *
 * <p>A transport does not remember what it sent: the caller keeps delivery state per recipient and
 * sends again only to recipients whose outcome was a {@link DeliveryOutcome.TemporaryFailure}.
 */
public interface MailTransport {

    /**
     * Sends the message to its recipients.
     *
     * @return what became of each recipient
     */
    Delivery send(OutgoingMail mail);
}
