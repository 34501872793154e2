package org.dmarcreporter.core.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeAddressesTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "bounce@example.com                    | example.com",
                "<bounce@example.com>                  | example.com",
                "` <bounce@Mail.Example.com> `         | mail.example.com",
                "example.com                           | example.com",
                "<example.com>                         | example.com",
                "EXAMPLE.com.                          | example.com",
                "<@relay.example:bounce@example.com>   | example.com",
                "`\"odd @ local\"@example.com`         | example.com",
                "`<\"a\\\"b\"@example.com>`            | example.com",
                "bounce@bücher.example                 | xn--bcher-kva.example",
                "@example.com                          | example.com",
            })
    void mailboxOrBareDomainGivesTheDomain(String envelopeFrom, String domain) {
        assertThat(EnvelopeAddresses.parse(envelopeFrom)).isEqualTo(new EnvelopeSender.Domain(domain));
        assertThat(EnvelopeAddresses.domainOf(envelopeFrom)).contains(domain);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "<>", "  ", " <> ", "< >"})
    void emptyPathIsTheNullSender(String envelopeFrom) {
        assertThat(EnvelopeAddresses.parse(envelopeFrom)).isEqualTo(new EnvelopeSender.NullSender());
        assertThat(EnvelopeAddresses.domainOf(envelopeFrom)).contains("");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "<bounce@example.com",
                "bounce@example.com>",
                "<",
                ">",
                "a@b@example.com",
                "bounce@",
                "bounce@[192.0.2.1]",
                "bounce@exa mple.com",
                "bounce@example..com",
                "@relay.example:",
                "\"unterminated@example.com",
                "\"quoted\"example.com",
                "bounce@192.0.2.1",
            })
    void unusableSenderIsInvalid(String envelopeFrom) {
        assertThat(EnvelopeAddresses.parse(envelopeFrom)).isInstanceOf(EnvelopeSender.Invalid.class);
        assertThat(EnvelopeAddresses.domainOf(envelopeFrom)).isEmpty();
    }

    @Test
    void absentSenderIsInvalidNotNull() {
        assertThat(EnvelopeAddresses.parse(null)).isInstanceOf(EnvelopeSender.Invalid.class);
        assertThat(EnvelopeAddresses.domainOf(null)).isEmpty();
    }
}
