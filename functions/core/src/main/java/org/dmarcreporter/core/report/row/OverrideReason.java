package org.dmarcreporter.core.report.row;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * A {@code policy_evaluated/reason}: why the applied disposition differs from the published policy
 * (RFC 9990 §3.1.1.9, §3.1.6).
 *
 * @param type    one of {@code local_policy mailing_list other policy_test_mode trusted_forwarder}
 * @param comment optional free text, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OverrideReason(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String type,

        String comment) {
    public static final OverrideReason POLICY_TEST_MODE = new OverrideReason("policy_test_mode", null);
}
