package org.dmarcreporter.core.report.row;

/**
 * A {@code policy_evaluated/reason}: why the applied disposition differs from the published policy
 * (RFC 9990 §3.1.1.9, §3.1.6).
 *
 * @param type    one of {@code local_policy mailing_list other policy_test_mode trusted_forwarder}
 * @param comment optional free text, or null
 */
public record OverrideReason(String type, String comment) {
    public static final OverrideReason POLICY_TEST_MODE = new OverrideReason("policy_test_mode", null);
}
