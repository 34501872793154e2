package org.dmarcreporter.core.report.row;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/** The {@code auth_results/spf}: raw SPF result for the MAIL FROM identity (RFC 9990 §3.1.1.13). */
@JsonPropertyOrder({"domain", "scope", "result"})
public record SpfAuth(
        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String domain,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String scope,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        String result) {}
