package org.dmarcreporter.core.report.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.report.mail.MailAddresses;
import org.dmarcreporter.core.report.mail.OutgoingMail;

/**
 * The checks every transport makes before it sends anything, so they answer alike: the size limit
 * (the whole message fails as {@link DeliveryOutcome.Cause#TOO_LARGE}), the envelope sender and
 * each recipient ({@link MailAddresses}; a bad one fails alone as
 * {@link DeliveryOutcome.Cause#INVALID_ADDRESS}), duplicates dropped.
 */
public final class SendCheck {

    private final OutgoingMail mail;
    private final Map<String, DeliveryOutcome> refused;
    private final List<String> sendable;

    private SendCheck(OutgoingMail mail, Map<String, DeliveryOutcome> refused, List<String> sendable) {
        this.mail = mail;
        this.refused = refused;
        this.sendable = sendable;
    }

    /**
     * @param maxMessageBytes the largest message the destination takes; 0 for no limit
     */
    public static SendCheck of(OutgoingMail mail, long maxMessageBytes) {
        Map<String, DeliveryOutcome> refused = new LinkedHashMap<>();
        List<String> sendable = new ArrayList<>();
        if (maxMessageBytes > 0 && mail.message().length > maxMessageBytes) {
            DeliveryOutcome tooLarge = new DeliveryOutcome.PermanentFailure(
                    DeliveryOutcome.Cause.TOO_LARGE,
                    "message is " + mail.message().length + " bytes, over the limit of " + maxMessageBytes + " bytes");
            mail.recipients().forEach(r -> refused.putIfAbsent(r, tooLarge));
            return new SendCheck(mail, refused, List.of());
        }
        String senderProblem = problem(mail.envelopeFrom());
        for (String recipient : mail.recipients()) {
            if (refused.containsKey(recipient) || sendable.contains(recipient)) {
                continue;
            }
            String problem = senderProblem != null ? "envelope sender: " + senderProblem : problem(recipient);
            if (problem == null) {
                sendable.add(recipient);
            } else {
                refused.put(
                        recipient,
                        new DeliveryOutcome.PermanentFailure(DeliveryOutcome.Cause.INVALID_ADDRESS, problem));
            }
        }
        return new SendCheck(mail, refused, List.copyOf(sendable));
    }

    private static String problem(String address) {
        try {
            String valid = MailAddresses.requireValid(address);
            return valid.equals(address) ? null : "mail address has surrounding white space";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The recipients that passed the checks, in order, without duplicates. */
    public List<String> sendable() {
        return sendable;
    }

    /** The delivery with one outcome for every sendable recipient (a relay that is down, say). */
    public Delivery completeAll(DeliveryOutcome outcome) {
        Map<String, DeliveryOutcome> sent = new LinkedHashMap<>();
        sendable.forEach(r -> sent.put(r, outcome));
        return complete(sent);
    }

    /**
     * The delivery: the refused recipients' outcomes and the given outcomes of the sendable ones,
     * in the mail's recipient order.
     *
     * @param sent one outcome for each of {@link #sendable()}
     */
    public Delivery complete(Map<String, DeliveryOutcome> sent) {
        Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        for (String recipient : mail.recipients()) {
            DeliveryOutcome outcome = refused.containsKey(recipient) ? refused.get(recipient) : sent.get(recipient);
            if (outcome == null) {
                throw new IllegalStateException("no outcome for recipient " + recipient);
            }
            outcomes.putIfAbsent(recipient, outcome);
        }
        return new Delivery(mail.messageId(), outcomes);
    }
}
