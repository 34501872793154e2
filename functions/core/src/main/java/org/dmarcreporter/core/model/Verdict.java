package org.dmarcreporter.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * The answer for one result: the verdict object of {@code docs/ingest-api.md}.
 *
 * @param messageId    echoed when given
 * @param policyDomain domain whose DMARC record applied; null when none was found
 * @param disposition  what the domain owner asked for this message
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"messageId", "policyDomain", "dmarc", "disposition", "dkimAligned", "spfAligned"})
public record Verdict(
        String messageId,
        String policyDomain,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        DmarcResult dmarc,

        @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL)
        Policy disposition,

        @JsonProperty(required = true) boolean dkimAligned,
        @JsonProperty(required = true) boolean spfAligned) {}
