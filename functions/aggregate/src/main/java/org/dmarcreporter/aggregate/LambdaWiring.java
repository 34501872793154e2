package org.dmarcreporter.aggregate;

import java.time.Clock;
import org.dmarcreporter.aws.AwsClients;
import org.dmarcreporter.aws.dynamodb.DynamoDbReportLedger;
import org.dmarcreporter.aws.ses.SesTransport;
import org.dmarcreporter.core.dns.CachingDnsResolver;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The handlers' production wiring: AWS clients from the process environment, the system DNS resolver. */
final class LambdaWiring {

    private LambdaWiring() {}

    static ReportFunctions fromProcess() {
        AwsClients clients = AwsClients.fromEnvironment();
        AggregateEnvironment environment = new AggregateEnvironment(System::getenv);
        DynamoDbClient db = clients.dynamoDb();
        SqsClient sqs = clients.configure(SqsClient.builder()).build();
        SesTransport ses = new SesTransport(
                clients.sesV2(), SesTransport.SES_MAX_MESSAGE_BYTES, environment.sesConfigurationSet());
        return ReportFunctions.fromEnvironment(
                System::getenv,
                new DynamoDbReportLedger(db, environment.reportsTable(), Clock.systemUTC()),
                ses,
                sqs,
                CachingDnsResolver.system(),
                Clock.systemUTC(),
                d -> Thread.sleep(d.toMillis()));
    }
}
