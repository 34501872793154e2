/**
 * The failure function: sends RFC 9991 failure reports for the failure candidates that ingest
 * writes ({@code docs/failure-reports.md}, "In AWS"). {@link org.dmarcreporter.failure.FailureStreamHandler}
 * is triggered by the candidates table's DynamoDB stream and dispatches each new candidate;
 * {@link org.dmarcreporter.failure.FlushQueueHandler} receives the delayed SQS messages that send
 * the merged reports. Both only translate events and call the core's {@code FailureDispatcher}.
 */
package org.dmarcreporter.failure;
