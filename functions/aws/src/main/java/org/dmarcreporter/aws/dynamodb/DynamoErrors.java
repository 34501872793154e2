package org.dmarcreporter.aws.dynamodb;

import java.util.function.Supplier;
import org.dmarcreporter.core.store.StoreUnavailableException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * Turns DynamoDB failures that a later retry can fix (throttling, 5xx, network) into
 * {@link StoreUnavailableException} (503 at the API). Conditional failures and cancelled
 * transactions pass through: the callers decide what they mean. Anything else (a validation
 * error, a missing table) is a bug or a misconfiguration and is rethrown as is.
 */
final class DynamoErrors {

    private DynamoErrors() {}

    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (ConditionalCheckFailedException | TransactionCanceledException e) {
            throw e;
        } catch (SdkException e) {
            if (isTransient(e)) {
                throw new StoreUnavailableException("DynamoDB " + what + " failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** A cancelled transaction that no condition of ours explains (conflict, throttling): try again later. */
    static StoreUnavailableException unavailable(String what, TransactionCanceledException e) {
        return new StoreUnavailableException("DynamoDB " + what + " was cancelled: " + e.getMessage(), e);
    }

    static boolean isTransient(SdkException e) {
        if (e instanceof SdkClientException) {
            return true; // time-outs, connection errors: the SDK has already retried
        }
        if (e instanceof ProvisionedThroughputExceededException
                || e instanceof RequestLimitExceededException
                || e instanceof TransactionConflictException) {
            return true;
        }
        return e instanceof AwsServiceException a && (a.isThrottlingException() || a.statusCode() >= 500);
    }
}
