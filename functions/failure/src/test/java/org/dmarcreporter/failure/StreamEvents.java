package org.dmarcreporter.failure;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads a table's stream through the real SDK (DescribeStream, GetShardIterator, GetRecords) and
 * turns its records into the {@link DynamodbEvent} Lambda would deliver, field by field.
 */
final class StreamEvents {

    private StreamEvents() {}

    /** Every record of every shard of the stream, oldest first, as one event. */
    static DynamodbEvent readAll(DynamoDbStreamsClient streams, String streamArn, String region) {
        List<DynamodbStreamRecord> out = new ArrayList<>();
        List<Shard> shards = streams.describeStream(b -> b.streamArn(streamArn))
                .streamDescription()
                .shards();
        for (Shard shard : shards) {
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn)
                            .shardId(shard.shardId())
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                    .shardIterator();
            for (int page = 0; iterator != null && page < 100; page++) {
                String it = iterator;
                GetRecordsResponse response = streams.getRecords(b -> b.shardIterator(it));
                if (response.records().isEmpty()) {
                    break;
                }
                for (Record r : response.records()) {
                    out.add(toLambda(r, streamArn, region));
                }
                iterator = response.nextShardIterator();
            }
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(out);
        return event;
    }

    static DynamodbEvent of(List<DynamodbStreamRecord> records) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(new ArrayList<>(records));
        return event;
    }

    private static DynamodbStreamRecord toLambda(Record r, String streamArn, String region) {
        DynamodbStreamRecord out = new DynamodbStreamRecord();
        out.setEventID(r.eventID());
        out.setEventName(r.eventNameAsString());
        out.setEventVersion(r.eventVersion());
        out.setEventSource("aws:dynamodb");
        out.setAwsRegion(region);
        out.setEventSourceARN(streamArn);
        StreamRecord s = new StreamRecord();
        s.setSequenceNumber(r.dynamodb().sequenceNumber());
        s.setSizeBytes(r.dynamodb().sizeBytes());
        s.setStreamViewType(com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType.valueOf(
                r.dynamodb().streamViewTypeAsString()));
        s.setKeys(convert(r.dynamodb().keys()));
        if (r.dynamodb().hasNewImage()) {
            s.setNewImage(convert(r.dynamodb().newImage()));
        }
        out.setDynamodb(s);
        return out;
    }

    private static Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> convert(
            Map<String, AttributeValue> item) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> out =
                new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, convert(v)));
        return out;
    }

    private static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue convert(
            AttributeValue v) {
        var out = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        if (v.s() != null) {
            out.setS(v.s());
        } else if (v.n() != null) {
            out.setN(v.n());
        } else if (v.b() != null) {
            out.setB(v.b().asByteBuffer());
        } else if (v.bool() != null) {
            out.setBOOL(v.bool());
        } else if (Boolean.TRUE.equals(v.nul())) {
            out.setNULL(true);
        } else if (v.hasSs()) {
            out.setSS(v.ss());
        } else if (v.hasNs()) {
            out.setNS(v.ns());
        } else if (v.hasM()) {
            out.setM(convert(v.m()));
        } else if (v.hasL()) {
            out.setL(v.l().stream().map(StreamEvents::convert).toList());
        }
        return out;
    }
}
