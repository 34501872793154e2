package org.dmarcreporter.local.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.dmarcreporter.local.store.MessageIdIndex.Key;
import org.junit.jupiter.api.Test;

class MessageIdIndexTest {

    @Test
    void remembersEveryIdThroughManyResizes() {
        MessageIdIndex index = new MessageIdIndex();
        for (int i = 0; i < 50_000; i++) {
            index.put(Key.of("<" + i + "@example.com>"), 1_000 + i);
        }

        assertThat(index.size()).isEqualTo(50_000);
        for (int i = 0; i < 50_000; i++) {
            assertThat(index.expiresAt(Key.of("<" + i + "@example.com>"))).isEqualTo(1_000 + i);
        }
        assertThat(index.expiresAt(Key.of("<50000@example.com>"))).isZero();
    }

    @Test
    void aLaterPutExtendsTheExpiryAndAnEarlierOneDoesNot() {
        MessageIdIndex index = new MessageIdIndex();
        Key key = Key.of("m1");

        index.put(key, 100);
        index.put(key, 300);
        index.put(key, 200);

        assertThat(index.expiresAt(key)).isEqualTo(300);
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void removeExpiredDropsExactlyTheIdsExpiredAtOrBeforeNow() {
        MessageIdIndex index = new MessageIdIndex();
        for (int i = 1; i <= 10_000; i++) {
            index.put(Key.of("m" + i), i);
        }

        assertThat(index.removeExpired(6_000)).isEqualTo(6_000);

        assertThat(index.size()).isEqualTo(4_000);
        assertThat(index.expiresAt(Key.of("m6000"))).isZero();
        assertThat(index.expiresAt(Key.of("m6001"))).isEqualTo(6_001);
        assertThat(index.expiresAt(Key.of("m10000"))).isEqualTo(10_000);
    }

    @Test
    void aKeyRoundTripsThroughItsSixteenBytes() {
        Key key = Key.of("<CAF=abc@mail.example.com>");

        assertThat(Key.of(key.bytes())).isEqualTo(key);
        assertThat(key.bytes()).hasSize(16);
        assertThat(Key.of("<CAF=abd@mail.example.com>")).isNotEqualTo(key);
    }
}
