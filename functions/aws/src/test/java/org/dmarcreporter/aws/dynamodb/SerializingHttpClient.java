package org.dmarcreporter.aws.dynamodb;

import java.io.IOException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * Sends one request at a time per JVM. moto is not thread-safe (a threaded moto_server loses and
 * doubles {@code ADD} updates, and rolls back a cancelled transaction by restoring a copy of the
 * whole table, wiping concurrent writes), while DynamoDB applies every single operation
 * atomically. Serialising the HTTP exchanges gives moto DynamoDB's per-operation atomicity and
 * keeps everything the concurrency tests are about: many callers interleaving their claims,
 * markers and counter updates in any order.
 */
final class SerializingHttpClient implements SdkHttpClient {

    private static final Object ONE_AT_A_TIME = new Object();

    private final SdkHttpClient delegate;

    SerializingHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                // The server has finished the operation once the status line is back, so the body
                // can be read outside the lock.
                synchronized (ONE_AT_A_TIME) {
                    return call.call();
                }
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    @Override
    public void close() {
        delegate.close();
    }
}
