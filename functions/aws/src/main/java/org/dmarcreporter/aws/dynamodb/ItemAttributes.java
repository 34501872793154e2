package org.dmarcreporter.aws.dynamodb;

/** Attribute names of the items listed in {@code docs/dynamodb-data-model.md}. */
public final class ItemAttributes {

    /** TTL attribute of both tables, epoch seconds. */
    public static final String EXPIRES_AT = "expiresAt";

    // counter rows
    public static final String COUNT = "count";
    public static final String ROW = "row";

    // window index
    public static final String DOMAIN = "domain";
    public static final String WINDOW_START = "windowStart";
    public static final String POLICY_RECORD = "policyRecord";
    public static final String UPDATED_AT = "updatedAt";

    // send-now cuts
    public static final String CUT_AT = "cutAt";

    // delivery state (aggregate run): one item per (window, recipient)
    /** {@code sent}, {@code failed} or {@code given-up}. */
    public static final String STATE = "state";

    public static final String REASON = "reason";
    public static final String ATTEMPTS = "attempts";
    public static final String NEXT_RETRY = "nextRetry";
    /** When a {@code sent} recipient got the report. */
    public static final String SENT_AT = "sentAt";

    public static final String STATE_SENT = "sent";
    public static final String STATE_FAILED = "failed";
    public static final String STATE_GIVEN_UP = "given-up";

    // reported marker (aggregate run)
    public static final String REPORT_ID = "reportId";
    public static final String BEGIN = "begin";
    public static final String END = "end";
    public static final String REPORTED_AT = "reportedAt";
    public static final String OUTCOME = "outcome";

    // idempotency
    public static final String STATUS = "status";
    public static final String RESPONSE = "response";
    /** Number of {@code RESPONSE#} part items holding an answer too large for the request item. */
    public static final String RESPONSE_PARTS = "responseParts";

    public static final String LEASE_UNTIL = "leaseUntil";
    /** Random token of the attempt that holds the key; every write of the attempt checks it. */
    public static final String OWNER = "owner";
    /** {@code IngestBatch.requestDigest}: the key is bound to this request body. */
    public static final String REQUEST_DIGEST = "requestDigest";
    /** Request indexes already counted (number set), added in the transaction that counts them. */
    public static final String COUNTED = "counted";

    public static final String STATUS_IN_PROGRESS = "IN_PROGRESS";
    public static final String STATUS_COMPLETE = "COMPLETE";

    // failure candidates
    public static final String CANDIDATE = "candidate";
    public static final String POLICY_DOMAIN = "policyDomain";
    public static final String STORED_AT = "storedAt";

    private ItemAttributes() {}
}
