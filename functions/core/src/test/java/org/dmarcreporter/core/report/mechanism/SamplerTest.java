package org.dmarcreporter.core.report.mechanism;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTest {

    @Test
    void byKeyDecidesTheSameForTheSameKeyAndSamplesThePercent() {
        Sampler s = Sampler.byKey();
        assertThat(s.sample("cand-1/spf/a@b.example", 30)).isEqualTo(s.sample("cand-1/spf/a@b.example", 30));
        long in = IntStream.range(0, 10_000)
                .filter(i -> s.sample("cand-" + i, 30))
                .count();
        assertThat(in).isBetween(2_700L, 3_300L);
        assertThat(IntStream.range(0, 1_000).allMatch(i -> s.sample("k" + i, 100)))
                .isTrue();
        assertThat(IntStream.range(0, 1_000).noneMatch(i -> s.sample("k" + i, 0)))
                .isTrue();
    }

    @Test
    void fromRandomDrawsFromTheSource() {
        Sampler s = Sampler.from(new Random(7));
        long in =
                IntStream.range(0, 10_000).filter(i -> s.sample("same key", 10)).count();
        assertThat(in).isBetween(850L, 1_150L);
        assertThat(Sampler.from(new Random(7)).sample("x", 0)).isFalse();
    }
}
