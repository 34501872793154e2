package org.dmarcreporter.core.discovery;

import java.util.ArrayList;
import java.util.List;
import org.dmarcreporter.core.record.PsdFlag;

/**
 * The DNS Tree Walk of RFC 9989 §4.10 from one starting name, and the two questions asked of it:
 * which record applies (§4.10.1) and which name is the Organizational Domain (§4.10.2).
 *
 * <p>Queries: the starting name; then, if it has {@value #LABEL_SHORTCUT} or more labels, the name
 * shortened to {@code LABEL_SHORTCUT - 1} labels, otherwise its parent; then one label less per
 * query down to the top-level domain. So a walk makes at most {@value #LABEL_SHORTCUT} queries.
 * The walk stops early at a record carrying {@code psd=y} or {@code psd=n}, the start's included.
 */
public final class TreeWalk {

    /** RFC 9989 §4.10 step 5: names of 8 or more labels are first shortened to 7. */
    public static final int LABEL_SHORTCUT = 8;

    private final String start;
    private final List<WalkStep> steps;
    private final boolean tempFailed;

    private TreeWalk(String start, List<WalkStep> steps, boolean tempFailed) {
        this.start = start;
        this.steps = List.copyOf(steps);
        this.tempFailed = tempFailed;
    }

    /** Walks from {@code start}, a normalised domain name (lower case, no trailing dot). */
    public static TreeWalk walk(RecordSource lookup, String start) {
        int[] dots = labelStarts(start);
        int n = dots.length;
        List<WalkStep> steps = new ArrayList<>(4);
        boolean tempFailed = false;
        int count = n;
        while (count >= 1) {
            String name = start.substring(dots[n - count]);
            RecordLookup found = lookup.lookup(name);
            steps.add(new WalkStep(name, count, found));
            if (found instanceof RecordLookup.TempFail) {
                // An unknown answer part-way leaves the outcome unknown (RFC 9989 §4.10.1, DNS errors).
                tempFailed = true;
                break;
            }
            if (found instanceof RecordLookup.Found f && f.record().psd() != PsdFlag.U) {
                // RFC 9989 §4.10 steps 2 and 7: a record that says psd=y or psd=n ends the walk.
                break;
            }
            count = count == n && n >= LABEL_SHORTCUT ? LABEL_SHORTCUT - 1 : count - 1;
        }
        return new TreeWalk(start, steps, tempFailed);
    }

    /** Index of the first character of each label, left to right. */
    private static int[] labelStarts(String name) {
        int n = 1;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                n++;
            }
        }
        int[] starts = new int[n];
        int k = 1;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '.') {
                starts[k++] = i + 1;
            }
        }
        return starts;
    }

    public String start() {
        return start;
    }

    public List<WalkStep> steps() {
        return steps;
    }

    /** A query failed transiently, so neither question below has a certain answer. */
    public boolean tempFailed() {
        return tempFailed;
    }

    /**
     * The Organizational Domain (RFC 9989 §4.10.2): among names with a record, longest first, the
     * first with {@code psd=n}; else the name one label below the first {@code psd=y} (other than
     * the start); else the name with fewest labels. Without any record, the start itself.
     */
    public String organizationalDomain() {
        WalkStep fewest = null;
        for (WalkStep step : steps) {
            if (step.lookup() instanceof RecordLookup.Found f) {
                if (f.record().psd() == PsdFlag.N) {
                    return step.name();
                }
                if (f.record().psd() == PsdFlag.Y && !step.name().equals(start)) {
                    return oneLabelBelow(step.labels());
                }
                fewest = step;
            }
        }
        return fewest == null ? start : fewest.name();
    }

    /**
     * The record that applies to mail from the start name (RFC 9989 §4.10.1): its own; else the
     * Organizational Domain's; else the Public Suffix Domain's ({@code psd=y}). Null when none.
     */
    public WalkStep applicableStep() {
        if (steps.get(0).lookup() instanceof RecordLookup.Found) {
            return steps.get(0);
        }
        String org = organizationalDomain();
        WalkStep psd = null;
        for (WalkStep step : steps) {
            if (step.lookup() instanceof RecordLookup.Found f) {
                if (step.name().equals(org)) {
                    return step;
                }
                if (f.record().psd() == PsdFlag.Y) {
                    psd = step;
                }
            }
        }
        return psd;
    }

    private String oneLabelBelow(int labels) {
        int[] starts = labelStarts(start);
        return start.substring(starts[starts.length - labels - 1]);
    }
}
