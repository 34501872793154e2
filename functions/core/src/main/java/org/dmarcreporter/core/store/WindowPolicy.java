package org.dmarcreporter.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dmarcreporter.core.window.ReportingWindow;

/**
 * The DMARC record seen for a domain in a window, kept for {@code policy_published}. Doubles as
 * the index entry that tells the aggregate run which windows have unreported data, so the nightly
 * run never scans counters.
 */
public record WindowPolicy(ReportingWindow window, String policyRecord) {

    /** One entry per window of the batch, holding the record seen last (RFC 9990 §3.1). */
    public static List<WindowPolicy> latest(List<StoredResult> results) {
        Map<ReportingWindow, String> last = new LinkedHashMap<>();
        for (StoredResult r : results) {
            last.put(r.window(), r.policyRecord());
        }
        List<WindowPolicy> out = new ArrayList<>(last.size());
        last.forEach((w, p) -> out.add(new WindowPolicy(w, p)));
        return out;
    }
}
