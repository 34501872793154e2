package org.dmarcreporter.aws.dynamodb;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Simulates a function dying mid-batch: once armed, the N-th successful TransactWriteItems is
 * committed in DynamoDB but its caller gets an error, and (when {@code staysDead}) every later
 * call fails before it is sent, so not even the lease release gets through.
 */
final class CrashSwitch implements ExecutionInterceptor {

    private final AtomicInteger transactionsLeft = new AtomicInteger(-1);
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile boolean staysDead;

    void crashAfterTransactions(int committed, boolean staysDead) {
        this.staysDead = staysDead;
        transactionsLeft.set(committed);
    }

    void revive() {
        transactionsLeft.set(-1);
        dead.set(false);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (dead.get()) {
            throw SdkClientException.create("simulated crash: the function is gone");
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof TransactWriteItemsRequest
                && transactionsLeft.get() > 0
                && transactionsLeft.decrementAndGet() == 0) {
            dead.set(staysDead);
            throw SdkClientException.create("simulated crash right after a committed transaction");
        }
    }
}
