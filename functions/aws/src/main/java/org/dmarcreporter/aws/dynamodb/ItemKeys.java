package org.dmarcreporter.aws.dynamodb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * Partition and sort keys of the items in ReportsTable, listed in {@code docs/dynamodb-data-model.md}.
 * The aggregate run reads the same keys, so they live here, in one place.
 */
public final class ItemKeys {

    public static final String PK = "pk";
    public static final String SK = "sk";

    /** The window index is spread over this many partitions so that no single one gets hot. */
    public static final int WINDOW_SHARDS = 16;

    /** The latest cut of a domain (or of all domains): what ingest reads. */
    public static final String CUT_SK = "CUT";
    /** Sort keys of the cut history items: {@code AT#<epoch seconds, 12 digits>}; they sort before {@link #CUT_SK}. */
    public static final String CUT_HISTORY_SK_PREFIX = "AT#";

    public static final String REPORTED_SK = "REPORTED";
    public static final String ALL_DOMAINS_CUT_PK = "CUT#*";
    public static final String REQUEST_SK = "REQUEST";
    public static final String MESSAGE_SK = "MESSAGE";
    public static final String WRITE_MARKER_SK = "WRITE";

    /** Longer message ids are hashed: a DynamoDB partition key holds at most 2048 bytes. */
    static final int MAX_RAW_MESSAGE_ID_BYTES = 1024;

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private ItemKeys() {}

    /** Counter rows of one domain and window share a partition: the report reads them in one query. */
    public static String rowPk(ReportingWindow window) {
        return "ROW#" + window.policyDomain() + "#" + window.start();
    }

    /** A fixed-size digest of {@code RowIncrement.rowKey()}: equal rows get the same counter item. */
    public static String rowSk(String rowKey) {
        return BASE64URL.encodeToString(sha256(rowKey));
    }

    /** {@code WINDOW#00} .. {@code WINDOW#0f}, chosen by the first byte of SHA-256(domain). */
    public static String windowPk(String policyDomain) {
        return shardPk(windowShard(policyDomain));
    }

    public static String windowSk(ReportingWindow window) {
        return window.policyDomain() + "#" + window.start();
    }

    public static String cutPk(String policyDomain) {
        return "CUT#" + policyDomain;
    }

    /** One cut in the history of {@code CUT#<domain>} (or {@code CUT#*}): zero-padded, so they sort in time. */
    public static String cutHistorySk(long at) {
        if (at < 0 || at > 999_999_999_999L) {
            throw new IllegalArgumentException("cut time out of range: " + at);
        }
        return CUT_HISTORY_SK_PREFIX + String.format("%012d", at);
    }

    /** Delivery state of one window's report, one item per recipient (sort key = recipient). */
    public static String deliveryPk(ReportingWindow window) {
        return "DELIVERY#" + window.policyDomain() + "#" + window.start();
    }

    /** The report lease of one window (sort key {@link #LEASE_SK}): which run may send its report. */
    public static String leasePk(ReportingWindow window) {
        return "LEASE#" + window.policyDomain() + "#" + window.start();
    }

    public static final String LEASE_SK = "LEASE";

    /** "This window was reported": kept after its index entry is removed. */
    public static String reportedPk(ReportingWindow window) {
        return "REPORTED#" + window.policyDomain() + "#" + window.start();
    }

    /** The index partition {@code WINDOW#<shard>} for shard 0 to {@link #WINDOW_SHARDS} - 1. */
    public static String windowShardPk(int shard) {
        if (shard < 0 || shard >= WINDOW_SHARDS) {
            throw new IllegalArgumentException("no window shard " + shard);
        }
        return shardPk(shard);
    }

    /** The shard number of {@code policyDomain}'s index entries. */
    public static int windowShard(String policyDomain) {
        return (sha256(policyDomain)[0] & 0xff) % WINDOW_SHARDS;
    }

    public static String requestPk(String idempotencyKey) {
        return "IDEMPOTENCY#" + idempotencyKey;
    }

    /** Part {@code i} of a large stored answer, written by the attempt with owner token {@code owner}. */
    public static String responsePartSk(String owner, int i) {
        return "RESPONSE#" + owner + "#" + i;
    }

    /** One transaction of a request without Idempotency-Key: its random token (see {@link ChunkWriter}). */
    public static String writeMarkerPk(String token) {
        return "WRITE#" + token;
    }

    /**
     * {@code MSG#<messageId>}, or {@code MSGSHA256#<base64url digest>} for an id over 1 KiB: the
     * two prefixes differ, so no messageId (say one that reads {@code sha256:...}) can name the
     * marker of another.
     */
    public static String messagePk(String messageId) {
        byte[] utf8 = messageId.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_RAW_MESSAGE_ID_BYTES) {
            return "MSG#" + messageId;
        }
        return "MSGSHA256#" + BASE64URL.encodeToString(sha256(messageId));
    }

    private static String shardPk(int shard) {
        return String.format("WINDOW#%02x", shard);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
