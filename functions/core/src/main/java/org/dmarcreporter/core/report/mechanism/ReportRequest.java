package org.dmarcreporter.core.report.mechanism;

import java.util.Set;

/**
 * A domain's request for mechanism-specific failure reports (RFC 6651 §4, RFC 6652 §3).
 *
 * @param localPart {@code ra=}: reports go to {@code <ra>@<the domain that published it>}
 * @param percent   {@code rp=}: the share of failures to report, 0 to 100 (default 100)
 * @param types     {@code rr=}: the failure types asked for, lower case ({@code all} stands for every type)
 * @param text      the record as published
 */
public record ReportRequest(String localPart, int percent, Set<String> types, String text) {

    public ReportRequest {
        types = Set.copyOf(types);
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("rp must be 0 to 100: " + percent);
        }
    }

    /** True when a failure of any of {@code failureTypes} is asked for. */
    public boolean wants(Set<String> failureTypes) {
        if (types.contains("all")) {
            return true;
        }
        for (String t : failureTypes) {
            if (types.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** Where the reports go. */
    public String address(String domain) {
        return localPart + "@" + domain;
    }
}
