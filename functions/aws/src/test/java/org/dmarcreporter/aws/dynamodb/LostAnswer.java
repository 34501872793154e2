package org.dmarcreporter.aws.dynamodb;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.RetryableException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Loses DynamoDB's answer: once armed, the next call matching the predicate reaches DynamoDB and
 * is applied there, but its HTTP response is thrown away (as by a connection reset), so the
 * SDK's own retry sends the same request again.
 */
final class LostAnswer implements ExecutionInterceptor {

    private volatile Predicate<SdkRequest> target = r -> false;
    private final AtomicInteger armed = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final AtomicInteger attempts = new AtomicInteger();

    /** Loses the answer of the next {@code times} calls that match. */
    void loseNext(Predicate<SdkRequest> which, int times) {
        target = which;
        armed.set(times);
    }

    /** Answers lost so far. */
    int lost() {
        return lost.get();
    }

    /** HTTP attempts of matching calls, the SDK's retries included. */
    int attempts() {
        return attempts.get();
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        if (!target.test(context.request())) {
            return;
        }
        attempts.incrementAndGet();
        if (armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            lost.incrementAndGet();
            throw RetryableException.create("simulated: DynamoDB applied the request, its answer was lost");
        }
    }
}
