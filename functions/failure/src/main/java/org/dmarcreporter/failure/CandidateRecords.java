package org.dmarcreporter.failure;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Record;
import java.util.Map;
import org.dmarcreporter.aws.dynamodb.ItemAttributes;
import org.dmarcreporter.core.codec.StoredJson;
import org.dmarcreporter.core.report.trigger.FailureCandidate;

/**
 * Reads the failure candidate out of a stream record of the candidates table: the {@code candidate}
 * attribute of the NEW_IMAGE ({@code docs/dynamodb-data-model.md}, FailureCandidatesTable).
 */
final class CandidateRecords {

    static final String INSERT = "INSERT";

    private CandidateRecords() {}

    /** True for a new item; MODIFY never happens (candidates are put once) and REMOVE is TTL. */
    static boolean isInsert(Record record) {
        return INSERT.equals(record.getEventName());
    }

    /** The record's sequence number (its batch item identifier), or null when it has none. */
    static String sequenceNumber(Record record) {
        return record.getDynamodb() == null ? null : record.getDynamodb().getSequenceNumber();
    }

    /**
     * @throws IllegalArgumentException when the record has no NEW_IMAGE, no {@code candidate}
     *     string, or one that does not read as a candidate: a poison record, which no retry mends
     */
    static FailureCandidate candidate(Record record) {
        Map<String, AttributeValue> image =
                record.getDynamodb() == null ? null : record.getDynamodb().getNewImage();
        if (image == null) {
            throw new IllegalArgumentException("the record has no NEW_IMAGE (the stream must be NEW_IMAGE)");
        }
        AttributeValue json = image.get(ItemAttributes.CANDIDATE);
        if (json == null || json.getS() == null) {
            throw new IllegalArgumentException("the item has no '" + ItemAttributes.CANDIDATE + "' string");
        }
        return StoredJson.candidate(json.getS());
    }
}
