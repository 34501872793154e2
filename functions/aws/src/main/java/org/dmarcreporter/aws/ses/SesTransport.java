package org.dmarcreporter.aws.ses;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
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
import software.amazon.awssdk.services.sesv2.model.AccountSuspendedException;
import software.amazon.awssdk.services.sesv2.model.BadRequestException;
import software.amazon.awssdk.services.sesv2.model.Destination;
import software.amazon.awssdk.services.sesv2.model.EmailContent;
import software.amazon.awssdk.services.sesv2.model.LimitExceededException;
import software.amazon.awssdk.services.sesv2.model.MailFromDomainNotVerifiedException;
import software.amazon.awssdk.services.sesv2.model.MessageRejectedException;
import software.amazon.awssdk.services.sesv2.model.NotFoundException;
import software.amazon.awssdk.services.sesv2.model.RawMessage;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;
import software.amazon.awssdk.services.sesv2.model.SendEmailResponse;
import software.amazon.awssdk.services.sesv2.model.SendingPausedException;
import software.amazon.awssdk.services.sesv2.model.TooManyRequestsException;

/**
 * Sends through SES v2 {@code SendEmail} with raw content (docs/mail.md): the message's exact
 * bytes, {@code FromEmailAddress} = the envelope sender (SES sends bounces and complaints there;
 * it must be a verified identity), one call per recipient so that each recipient's outcome is its
 * own and a retry never reaches a recipient that already has the message.
 *
 * <p>Messages over {@link #SES_MAX_MESSAGE_BYTES} are refused before any call. Throttling, paused
 * sending, quota, account and 5xx service errors and network problems are temporary;
 * MessageRejected, MailFromDomainNotVerified, NotFound and other 4xx errors are permanent.
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

    static DeliveryOutcome classify(AwsServiceException e) {
        String reason = "SES " + e.awsErrorDetails().errorCode() + ": "
                + oneLine(e.awsErrorDetails().errorMessage());
        if (e instanceof TooManyRequestsException
                || e instanceof LimitExceededException
                || e instanceof SendingPausedException
                || e instanceof AccountSuspendedException
                || e.isThrottlingException()
                || e.statusCode() >= 500) {
            return new DeliveryOutcome.TemporaryFailure(reason);
        }
        if (e instanceof MessageRejectedException
                || e instanceof MailFromDomainNotVerifiedException
                || e instanceof NotFoundException
                || e instanceof BadRequestException
                || e.statusCode() >= 400) {
            return new DeliveryOutcome.PermanentFailure(Cause.REJECTED, reason);
        }
        return new DeliveryOutcome.TemporaryFailure(reason);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\x00-\\x1f\\x7f]+", " ").trim();
    }
}
