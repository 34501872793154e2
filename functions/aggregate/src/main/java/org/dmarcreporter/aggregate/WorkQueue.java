package org.dmarcreporter.aggregate;

import java.util.List;

/** Where the midnight fan-out puts its work items: SQS in AWS, a list in tests. */
interface WorkQueue {

    /** SQS's limit of entries per {@code SendMessageBatch}. */
    int MAX_BATCH = 10;

    /**
     * Puts the bodies on the queue, each visible after {@code delaySeconds} (0 to 900).
     *
     * @param bodies 1 to {@link #MAX_BATCH} message bodies
     * @throws RuntimeException when some could not be put (after retries): the caller fails
     */
    void sendBatch(List<String> bodies, int delaySeconds);
}
