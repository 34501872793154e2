package org.dmarcreporter.aws.ses;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.aws.testing.AwsTestEndpoint;
import org.dmarcreporter.aws.testing.MotoSes;
import org.dmarcreporter.core.report.delivery.Delivery;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome;
import org.dmarcreporter.core.report.delivery.DeliveryOutcome.Cause;
import org.dmarcreporter.core.report.delivery.MailTransport;
import org.dmarcreporter.core.report.delivery.MailTransportContract;
import org.dmarcreporter.core.report.mail.OutgoingMail;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.AccountSuspendedException;
import software.amazon.awssdk.services.sesv2.model.AlreadyExistsException;
import software.amazon.awssdk.services.sesv2.model.BadRequestException;
import software.amazon.awssdk.services.sesv2.model.LimitExceededException;
import software.amazon.awssdk.services.sesv2.model.MailFromDomainNotVerifiedException;
import software.amazon.awssdk.services.sesv2.model.MessageRejectedException;
import software.amazon.awssdk.services.sesv2.model.NotFoundException;
import software.amazon.awssdk.services.sesv2.model.SendingPausedException;
import software.amazon.awssdk.services.sesv2.model.TooManyRequestsException;

/**
 * The contract against moto's SES v2 ({@code DMARC_AWS_ENDPOINT}); what arrived is read from
 * moto's sent-message record ({@code /moto-api/data.json}). moto adds the To/Cc header addresses
 * to a raw message's destinations, so the envelope recipient is the first destination. Resets
 * moto first (see {@link AwsTestEndpoint#resetMoto()}).
 */
class SesTransportTest extends MailTransportContract {

    static SesV2Client ses;

    @BeforeAll
    static void verifySenderDomain() {
        ses = AwsTestEndpoint.clients().sesV2();
        // data.json lists everything moto holds (every DynamoDB item of earlier test classes too):
        // start from an empty moto so that reading it stays quick. Test classes run one at a time.
        AwsTestEndpoint.resetMoto();
        try {
            ses.createEmailIdentity(b -> b.emailIdentity("reporter.example"));
        } catch (AlreadyExistsException e) {
            // Another test class verified it first on this moto.
        }
    }

    @Override
    protected MailTransport transport() {
        return new SesTransport(ses);
    }

    @Override
    protected MailTransport transportWithLimit(long maxMessageBytes) {
        return new SesTransport(ses, maxMessageBytes, null);
    }

    @Override
    protected List<byte[]> received(String recipient, String messageId) throws Exception {
        List<byte[]> found = new ArrayList<>();
        for (MotoSes.RawMessage m : MotoSes.sent()) {
            if (recipient.equals(m.recipient()) && m.raw().contains("\r\nMessage-ID: " + messageId + "\r\n")) {
                found.add(m.raw().getBytes(StandardCharsets.UTF_8));
            }
        }
        return found;
    }

    @Test
    void anUnverifiedSenderIsATemporaryFailure() throws Exception {
        OutgoingMail good = mail(List.of(FIRST), body());
        OutgoingMail mail =
                new OutgoingMail("bounces@unverified.example", good.recipients(), good.messageId(), good.message());

        Delivery delivery = transport().send(mail);

        assertThat(delivery.outcome(FIRST)).hasValueSatisfying(o -> {
            assertThat(o).isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
            assertThat(o.detail()).contains("MessageRejected");
        });
        assertThat(received(FIRST, mail.messageId())).isEmpty();
    }

    @Test
    void throttlingIsTemporaryAndRejectionPermanent() {
        AwsErrorDetails throttled = AwsErrorDetails.builder()
                .errorCode("TooManyRequestsException")
                .errorMessage("Maximum sending rate exceeded.")
                .build();
        AwsErrorDetails rejected = AwsErrorDetails.builder()
                .errorCode("MessageRejected")
                .errorMessage("Message contains a prohibited attachment type.")
                .build();

        assertThat(SesTransport.classify((TooManyRequestsException) TooManyRequestsException.builder()
                        .awsErrorDetails(throttled)
                        .statusCode(429)
                        .build()))
                .isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
        assertThat(SesTransport.classify((MessageRejectedException) MessageRejectedException.builder()
                        .awsErrorDetails(rejected)
                        .statusCode(400)
                        .build()))
                .isInstanceOf(DeliveryOutcome.PermanentFailure.class);
        assertThat(SesTransport.classify(software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("InternalFailure")
                                .errorMessage("x")
                                .build())
                        .statusCode(503)
                        .build()))
                .isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
    }

    @Test
    void sesOwnLimitIsFortyMegabytes() {
        assertThat(SesTransport.SES_MAX_MESSAGE_BYTES).isEqualTo(40_000_000L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SesTransport(ses, 40_000_001L, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static AwsServiceException error(AwsServiceException.Builder builder, String code, String message, int status) {
        return builder.awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .build())
                .statusCode(status)
                .build();
    }

    @Test
    void configurationAndAccountErrorsAreTemporarySoAMisconfigurationGivesUpNoRecipient() {
        List<AwsServiceException> errors = List.of(
                error(AwsServiceException.builder(), "AccessDeniedException", "not authorized to ses:SendEmail", 403),
                error(AwsServiceException.builder(), "UnrecognizedClientException", "invalid security token", 403),
                error(
                        MailFromDomainNotVerifiedException.builder(),
                        "MailFromDomainNotVerifiedException",
                        "MAIL FROM domain is not verified",
                        400),
                error(
                        MessageRejectedException.builder(),
                        "MessageRejected",
                        "Email address is not verified. The following identities failed the check in region"
                                + " US-EAST-1: bounces@reporter.example",
                        400),
                error(
                        MessageRejectedException.builder(),
                        "MessageRejected",
                        "Did not have authority to send from email bounces@unverified.example",
                        400),
                error(NotFoundException.builder(), "NotFoundException", "Configuration set dmarc does not exist", 404),
                error(SendingPausedException.builder(), "SendingPausedException", "Sending is paused", 400),
                error(AccountSuspendedException.builder(), "AccountSuspendedException", "account suspended", 400),
                error(LimitExceededException.builder(), "LimitExceededException", "daily quota", 400),
                error(AwsServiceException.builder(), "SomethingNew", "an error this code does not know", 400));

        for (AwsServiceException e : errors) {
            assertThat(SesTransport.classify(e))
                    .as(e.awsErrorDetails().errorCode())
                    .isInstanceOf(DeliveryOutcome.TemporaryFailure.class);
        }
    }

    @Test
    void aRejectedMessageOrAnInvalidRecipientIsPermanent() {
        List<AwsServiceException> errors = List.of(
                error(MessageRejectedException.builder(), "MessageRejected", "Message contains a virus.", 400),
                error(BadRequestException.builder(), "BadRequestException", "Missing final '@domain'", 400));

        for (AwsServiceException e : errors) {
            assertThat(SesTransport.classify(e))
                    .as(e.awsErrorDetails().errorCode())
                    .isInstanceOfSatisfying(
                            DeliveryOutcome.PermanentFailure.class,
                            p -> assertThat(p.cause()).isEqualTo(Cause.REJECTED));
        }
    }
}
