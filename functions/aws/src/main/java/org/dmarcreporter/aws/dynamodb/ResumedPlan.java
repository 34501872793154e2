package org.dmarcreporter.aws.dynamodb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.dmarcreporter.core.store.StoredResult;

/**
 * What a retry of a keyed request writes, given the {@link ChunkPlan} an earlier attempt stored.
 * The retry evaluated the request again, and DNS may have answered differently: results may be
 * storable now that were not then, or the other way round, or land in other rows.
 *
 * <ul>
 *   <li>A stored chunk whose results are all storable now and still fit one transaction is
 *       written under its number, with the results as they evaluate now. If its marker exists,
 *       the transaction is cancelled and the chunk skipped: an earlier attempt counted those
 *       results.</li>
 *   <li>Otherwise (some of its results are missing now, or they no longer fit) the chunk's marker
 *       is read. Present: the chunk was stored as it was then; nothing to write. Absent: the
 *       chunk is abandoned (its number stays used, empty) and its results now storable join
 *       the new chunks. Never writing a different set of results under a stored number is what
 *       keeps a later attempt from skipping a result that the chunk did not hold.</li>
 *   <li>Results in no stored chunk are planned into new chunks numbered after the stored
 *       ones.</li>
 * </ul>
 *
 * @param plan    the plan to store before writing (equal to the stored one when unchanged)
 * @param changed whether {@code plan} differs from the stored plan and must be saved first
 * @param chunks  the chunks to write, in number order
 */
record ResumedPlan(ChunkPlan plan, boolean changed, List<PlannedChunk> chunks) {

    /**
     * @param current         the results this attempt writes transactionally, in request order,
     *                        with distinct request indexes
     * @param markerPresent   whether chunk {@code n}'s marker is stored (a consistent read)
     */
    static ResumedPlan of(ChunkPlan stored, List<StoredResult> current, ChunkPlanner planner,
                          IntPredicate markerPresent) {
        Map<Integer, Integer> chunkByIndex = stored.chunkByIndex();
        List<List<StoredResult>> members = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            members.add(new ArrayList<>());
        }
        List<StoredResult> unplanned = new ArrayList<>();
        for (StoredResult r : current) {
            Integer chunk = chunkByIndex.get(r.requestIndex());
            (chunk == null ? unplanned : members.get(chunk)).add(r);
        }

        List<List<Integer>> chunks = new ArrayList<>(stored.chunks());
        List<PlannedChunk> toWrite = new ArrayList<>();
        boolean changed = false;
        for (int i = 0; i < stored.size(); i++) {
            List<Integer> indexes = stored.chunks().get(i);
            List<StoredResult> now = members.get(i);
            if (indexes.isEmpty()) {
                continue;
            }
            if (now.size() == indexes.size() && planner.plan(now).size() == 1) {
                toWrite.add(new PlannedChunk(i, now));
            } else if (!markerPresent.test(i)) {
                chunks.set(i, List.of());
                unplanned.addAll(now);
                changed = true;
            }
            // else: an earlier attempt stored this chunk with the results it had then.
        }

        unplanned.sort(Comparator.comparingInt(StoredResult::requestIndex));
        for (List<StoredResult> chunk : planner.plan(unplanned)) {
            toWrite.add(new PlannedChunk(chunks.size(), chunk));
            chunks.add(chunk.stream().map(StoredResult::requestIndex).toList());
            changed = true;
        }
        return new ResumedPlan(changed ? new ChunkPlan(chunks) : stored, changed, List.copyOf(toWrite));
    }
}
