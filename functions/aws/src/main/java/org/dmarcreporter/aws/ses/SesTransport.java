package org.dmarcreporter.aws.ses;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.Cause;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.delivery.SendCheck;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.BadRequestException;
import software.amazon.awssdk.services.sesv2.model.Destination;
import software.amazon.awssdk.services.sesv2.model.EmailContent;
import software.amazon.awssdk.services.sesv2.model.MessageRejectedException;
import software.amazon.awssdk.services.sesv2.model.RawMessage;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;
import software.amazon.awssdk.services.sesv2.model.SendEmailResponse;

/**
 * Sends through SES v2 {@code SendEmail} with raw content (docs/mail.md): the message's exact
 * bytes, {@code FromEmailAddress} = the envelope sender (SES sends bounces and complaints there;
 * it must be a verified identity), one call per recipient so that each recipient's outcome is its
 * own and a retry never reaches a recipient that already has the message.
 *
 * <p>Messages over {@link #SES_MAX_MESSAGE_BYTES} are refused before any call. Only refusals of the
 * message or the recipient are permanent; configuration, account, throttling and service errors
 * and network problems are temporary ({@link #classify}).
 */
public final class SesTransport implements MailTransport {

    /**
     * SES v2's limit for one message, attachments included, as sent (base64 already applied):
     * 40 MB (raised from v1's 10 MB in 2022). Counted as 40,000,000 bytes, the stricter reading.
     */
    public static final long SES_MAX_MESSAGE_BYTES = 40_000_000L;

    private final SesV2Client ses;
    private final long maxMessageBytes;
    private final String configurationSet;

    /**
     * @param ses              a client from {@link org.dmarcreporter.aws.AwsClients#sesV2()}
     * @param maxMessageBytes  the size limit, at most {@link #SES_MAX_MESSAGE_BYTES}
     * @param configurationSet an SES configuration set name, or null for none
     */
    public SesTransport(SesV2Client ses, long maxMessageBytes, String configurationSet) {
        this.ses = Objects.requireNonNull(ses, "ses");
        if (maxMessageBytes <= 0 || maxMessageBytes > SES_MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageBytes must be 1-" + SES_MAX_MESSAGE_BYTES);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.configurationSet = configurationSet == null || configurationSet.isBlank() ? null : configurationSet;
    }

    /** SES's own limit, no configuration set. */
    public SesTransport(SesV2Client ses) {
        this(ses, SES_MAX_MESSAGE_BYTES, null);
    }

    @Override
    public Delivery send(OutgoingMail mail) {
        SendCheck check = SendCheck.of(mail, maxMessageBytes);
        Map<String, DeliveryOutcome> outcomes = new LinkedHashMap<>();
        if (!check.sendable().isEmpty()) {
            RawMessage raw = RawMessage.builder()
                    .data(SdkBytes.fromByteArray(mail.message()))
                    .build();
            EmailContent content = EmailContent.builder().raw(raw).build();
            for (String recipient : check.sendable()) {
                outcomes.put(recipient, sendOne(mail, content, recipient));
            }
        }
        return check.complete(outcomes);
    }

    private DeliveryOutcome sendOne(OutgoingMail mail, EmailContent content, String recipient) {
        SendEmailRequest.Builder request = SendEmailRequest.builder()
                .fromEmailAddress(mail.envelopeFrom())
                .destination(Destination.builder().toAddresses(recipient).build())
                .content(content);
        if (configurationSet != null) {
            request.configurationSetName(configurationSet);
        }
        try {
            SendEmailResponse response = ses.sendEmail(request.build());
            return new DeliveryOutcome.Sent("SES message id " + response.messageId());
        } catch (AwsServiceException e) {
            return classify(e);
        } catch (SdkException e) {
            return new DeliveryOutcome.TemporaryFailure("SES could not be reached: " + oneLine(e.getMessage()));
        }
    }

    /**
     * Permanent only when SES refused this message or this recipient: {@code MessageRejected}
     * for the content (not the forms of it that name our sender identity, "Email address is not
     * verified" or "Did not have authority to send", or in the sandbox the recipient's) and {@code BadRequest} (an invalid recipient
     * address or message). Everything else is about our account or configuration (AccessDenied
     * and other credential errors, {@code MailFromDomainNotVerified}, {@code NotFound} for a
     * missing configuration set, {@code SendingPaused}, {@code AccountSuspended}) or transient
     * (throttling, quotas, 5xx), and temporary: giving up would mark every window reported because
     * of a misconfiguration, while a retry with back-off sends the reports once it is fixed (as
     * the local transport does with SMTP 530, RFC 4954 §6). SES v2 API reference, SendEmail,
     * "Errors".
     */
    static DeliveryOutcome classify(AwsServiceException e) {
        String message = oneLine(e.awsErrorDetails().errorMessage());
        String reason = "SES " + e.awsErrorDetails().errorCode() + ": " + message;
        boolean messageSpecific = e.statusCode() < 500
                && !e.isThrottlingException()
                && (e instanceof MessageRejectedException
                                && !OUR_IDENTITY.matcher(message).find()
                        || e instanceof BadRequestException);
        if (messageSpecific) {
            return new DeliveryOutcome.PermanentFailure(Cause.REJECTED, reason);
        }
        return new DeliveryOutcome.TemporaryFailure(reason);
    }

    /**
     * SES's MessageRejected texts about our sender identity rather than the message: "Email
     * address is not verified. ...", and for sending authorization "Did not have authority to
     * send from email ..." (moto's SES v2 answers an unverified sender with the latter).
     */
    private static final Pattern OUR_IDENTITY = Pattern.compile(
            "\\bnot verified\\b|\\bnot have authority\\b|\\bnot authorized\\b", Pattern.CASE_INSENSITIVE);

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\x00-\\x1f\\x7f]+", " ").trim();
    }
}
