package org.dmarcreporter.aws.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class AwsTestEndpointTest {

    @Test
    void unresolvedMavenPropertyCountsAsUnset() {
        // What Surefire receives from <DMARC_AWS_ENDPOINT>${env.DMARC_AWS_ENDPOINT}</...> when unset.
        assertThat(AwsTestEndpoint.endpointFrom("${env.DMARC_AWS_ENDPOINT}")).isEmpty();
    }

    @Test
    void nullAndBlankCountAsUnset() {
        assertThat(AwsTestEndpoint.endpointFrom(null)).isEmpty();
        assertThat(AwsTestEndpoint.endpointFrom("  ")).isEmpty();
    }

    @Test
    void urlIsUsedAsGiven() {
        assertThat(AwsTestEndpoint.endpointFrom("http://127.0.0.1:5000")).contains(URI.create("http://127.0.0.1:5000"));
    }
}
