package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.store.StoredResult;

/**
 * The durable chunk plan of a request with an Idempotency-Key: for each chunk number, the request
 * indexes ({@link StoredResult#requestIndex()}) of the results it holds. Kept on the
 * {@code IDEMPOTENCY#<key>} request item, so that a retry matches chunk markers with results by
 * position in the request, not by a plan rebuilt from results that may have evaluated differently.
 *
 * <p>Stored as a string: chunks separated by {@code |}, indexes ascending and separated by
 * {@code ,}, an abandoned (emptied) chunk as {@code -}; e.g. {@code 1,2,3|4,7|-|5}. 500 results
 * take about 2 KB.
 *
 * @param chunks the request indexes of each chunk, by chunk number; an empty list is a chunk
 *               number that is used up and holds nothing
 */
record ChunkPlan(List<List<Integer>> chunks) {

    static final ChunkPlan EMPTY = new ChunkPlan(List.of());

    private static final String EMPTY_CHUNK = "-";

    ChunkPlan {
        chunks = chunks.stream().map(c -> c.stream().sorted().toList()).toList();
    }

    /** The plan of freshly planned chunks, numbered by position. */
    static ChunkPlan of(List<List<StoredResult>> planned) {
        List<List<Integer>> chunks = new ArrayList<>(planned.size());
        for (List<StoredResult> chunk : planned) {
            chunks.add(chunk.stream().map(StoredResult::requestIndex).toList());
        }
        return new ChunkPlan(chunks);
    }

    int size() {
        return chunks.size();
    }

    boolean isEmpty() {
        return chunks.isEmpty();
    }

    /** Request index to chunk number. */
    Map<Integer, Integer> chunkByIndex() {
        Map<Integer, Integer> out = new HashMap<>();
        for (int i = 0; i < chunks.size(); i++) {
            for (int index : chunks.get(i)) {
                if (out.put(index, i) != null) {
                    throw new IllegalStateException("request index " + index + " is in two chunks of the stored plan");
                }
            }
        }
        return out;
    }

    /** The stored form; empty for a plan without chunks (the attribute is then left out). */
    String encode() {
        StringBuilder out = new StringBuilder(chunks.size() * 400);
        for (List<Integer> chunk : chunks) {
            if (!out.isEmpty()) {
                out.append('|');
            }
            if (chunk.isEmpty()) {
                out.append(EMPTY_CHUNK);
            }
            for (int j = 0; j < chunk.size(); j++) {
                if (j > 0) {
                    out.append(',');
                }
                out.append(chunk.get(j));
            }
        }
        return out.toString();
    }

    /** Reads {@link #encode()}'s form; null or empty is the plan without chunks. */
    static ChunkPlan decode(String stored) {
        if (stored == null || stored.isEmpty()) {
            return EMPTY;
        }
        List<List<Integer>> chunks = new ArrayList<>();
        for (String chunk : stored.split("\\|", -1)) {
            if (chunk.equals(EMPTY_CHUNK)) {
                chunks.add(List.of());
                continue;
            }
            List<Integer> indexes = new ArrayList<>();
            for (String index : chunk.split(",", -1)) {
                try {
                    indexes.add(Integer.parseInt(index));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("unreadable stored chunk plan near '" + chunk + "'", e);
                }
            }
            chunks.add(indexes);
        }
        return new ChunkPlan(chunks);
    }
}
