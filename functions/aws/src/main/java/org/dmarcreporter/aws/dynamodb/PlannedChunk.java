package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.store.StoredResult;

/**
 * One TransactWriteItems to write: its results and, with an Idempotency-Key, the number its chunk
 * marker carries.
 */
record PlannedChunk(int number, List<StoredResult> results) {

    PlannedChunk {
        results = List.copyOf(results);
    }

    /** Fresh chunks, numbered by position. */
    static List<PlannedChunk> numbered(List<List<StoredResult>> chunks) {
        List<PlannedChunk> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            out.add(new PlannedChunk(i, chunks.get(i)));
        }
        return out;
    }
}
