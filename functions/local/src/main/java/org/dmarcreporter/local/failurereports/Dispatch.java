package org.dmarcreporter.local.failurereports;

import org.dmarcreporter.core.report.trigger.FailureCandidate;

/**
 * What the local sender needs of {@code core.report.dispatch.FailureDispatcher}: send one
 * candidate's reports, flush one merge slot. Each answers whether to try again later (DNS or mail
 * failed temporarily). A seam, so the sender's threads are tested without DNS or mail.
 */
interface Dispatch {

    /** @return true when the candidate should be dispatched again later */
    boolean dispatch(FailureCandidate candidate, long now);

    /** @return true when the slot should be flushed again later */
    boolean flush(String slotKey, long now);
}
