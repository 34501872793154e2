package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.core.testing.RandomCases.forAll;

import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.1, 192.0.2.1",
        "0.0.0.0, 0.0.0.0",
        "2001:DB8::1, 2001:db8::1",
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
        "::1, ::1",
        "::, ::",
        "1::, 1::",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
        "::ffff:192.0.2.1, 192.0.2.1",
        "::FFFF:198.51.100.7, 198.51.100.7",
        "0:0:0:0:0:ffff:c633:6407, 198.51.100.7",
        "::ffff:0.0.0.0, 0.0.0.0",
        "::192.0.2.1, ::c000:201",
        "::fffe:192.0.2.1, ::fffe:c000:201",
        "1::ffff:192.0.2.1, 1::ffff:c000:201",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    })
    void writesAddressesInCanonicalForm(String input, String canonical) {
        assertThat(IpAddresses.normalize(input)).contains(canonical);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "192.0.2",
                "192.0.2.256",
                "192.0.2.01",
                "192.0.2.1.5",
                "example.com",
                "localhost",
                "1:2:3:4:5:6:7:8:9",
                "1::2::3",
                "::1%eth0",
                "1.2.3.4::",
                "12345::1",
                "g::1",
                " 192.0.2.1",
                "1:2:3:4:5:6:7::8"
            })
    void rejectsWhatIsNotAnAddressLiteral(String input) {
        assertThat(IpAddresses.normalize(input)).isEmpty();
    }

    /** Digits of other scripts are not hex digits: {@code Character.digit} would take them. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\uff12\uff10\uff10\uff11:db8::1",
                "2001:db8::\uff11",
                "2001:db8::\u0661",
                "\u0968001:db8::1",
                "2001:db8::\uff41",
                "::ffff:192.0.2.\u0661",
                "\uff11\uff19\uff12.0.2.1",
                "192.0.2.\u0967",
                "2001:db8::\ud835\udfcf"
            })
    void rejectsNonAsciiDigits(String input) {
        assertThat(IpAddresses.normalize(input)).isEmpty();
    }

    @Test
    void neverThrows() {
        forAll(
                2000,
                r -> r.nextBoolean() ? Text.any(r, 255) : Text.of(r, "0123456789abcdefABCDEF:.%", 45),
                input -> assertThat(IpAddresses.normalize(input)).isNotNull());
    }

    @ParameterizedTest
    @CsvSource({
        "2001:db8::1, 2001:db8:0:0:0:0:0:1",
        "::1, 0:0:0:0:0:0:0:1",
        "::, 0:0:0:0:0:0:0:0",
        "1::, 1:0:0:0:0:0:0:0",
        "2001:db8::1:0:0:1, 2001:db8:0:0:1:0:0:1",
        "::c000:201, 0:0:0:0:0:0:c000:201",
        "64:ff9b::192.0.2.1, 64:ff9b:0:0:0:0:c000:201",
        "192.0.2.1, 192.0.2.1"
    })
    void writesIpv6WithAllEightGroupsForTheRfc7489Schema(String canonical, String full) {
        assertThat(IpAddresses.uncompressed(canonical)).isEqualTo(full);
    }
}
