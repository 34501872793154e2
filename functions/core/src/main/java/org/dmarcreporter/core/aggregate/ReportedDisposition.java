package org.dmarcreporter.core.aggregate;

import java.util.Locale;

/**
 * {@code policy_evaluated/disposition} as RFC 9990 §3.1.1.9 defines it: {@code pass} when DMARC
 * passed under an enforcing policy. The rfc7489 format has no {@code pass}; its writer maps it to
 * {@code none}.
 */
public enum ReportedDisposition {
    NONE, PASS, QUARANTINE, REJECT;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
