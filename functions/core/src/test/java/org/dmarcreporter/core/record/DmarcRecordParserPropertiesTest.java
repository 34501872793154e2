package org.dmarcreporter.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dmarcreporter.core.testing.RandomCases.forAll;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.dmarcreporter.core.model.Policy;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;

class DmarcRecordParserPropertiesTest {

    private static final String PUNCTUATION = ";=,:!@% \t\"<>";

    private static final Set<String> KNOWN =
            Set.of("v", "p", "sp", "np", "adkim", "aspf", "psd", "t", "fo", "rua", "ruf", "pct", "rf", "ri");

    @Test
    void neverThrowsOnArbitraryText() {
        forAll(
                2000,
                DmarcRecordParserPropertiesTest::anyText,
                text -> assertThat(DmarcRecordParser.parse(text))
                        .isNotNull()
                        .isNotSameAs(DmarcRecordParser.UNREADABLE));
    }

    @Test
    void neverThrowsOnHugeText() {
        forAll(
                20,
                DmarcRecordParserPropertiesTest::hugeText,
                text -> assertThat(DmarcRecordParser.parse(text))
                        .isNotNull()
                        .isNotSameAs(DmarcRecordParser.UNREADABLE));
    }

    @Test
    void neverThrowsOnMutatedRecords() {
        forAll(2000, DmarcRecordParserPropertiesTest::mutatedRecord, text -> {
            RecordParseResult result = DmarcRecordParser.parse(text);
            assertThat(result).isNotNull().isNotSameAs(DmarcRecordParser.UNREADABLE);
            if (result instanceof RecordParseResult.Valid valid) {
                assertThat(valid.record().text()).isEqualTo(text);
            }
        });
    }

    @Test
    void recordsBuiltFromTheGrammarRoundTrip() {
        forAll(1000, DmarcRecordParserPropertiesTest::build, spec -> {
            RecordParseResult result = DmarcRecordParser.parse(spec.text);
            assertThat(result).as(spec.text).isInstanceOf(RecordParseResult.Valid.class);
            DmarcRecord r = ((RecordParseResult.Valid) result).record();
            assertThat(r.text()).isEqualTo(spec.text);
            assertThat(r.policyValid()).isTrue();
            assertThat(r.policy()).isEqualTo(spec.p.orElse(Policy.NONE));
            assertThat(r.subdomainPolicy()).isEqualTo(spec.sp);
            assertThat(r.nonExistentPolicy()).isEqualTo(spec.np);
            assertThat(r.dkimAlignment()).isEqualTo(spec.adkim.orElse(AlignmentMode.RELAXED));
            assertThat(r.spfAlignment()).isEqualTo(spec.aspf.orElse(AlignmentMode.RELAXED));
            assertThat(r.psd()).isEqualTo(spec.psd.orElse(PsdFlag.U));
            assertThat(r.testMode()).isEqualTo(spec.t.orElse(false));
            assertThat(r.failureOptions()).isEqualTo(spec.fo.orElse(FailureOptions.DEFAULT));
            assertThat(r.aggregateUris()).isEqualTo(spec.rua);
            assertThat(r.failureUris()).isEqualTo(spec.ruf);
            assertThat(r.pct()).isEqualTo(spec.pct);
            assertThat(r.reportInterval()).isEqualTo(spec.ri);
        });
    }

    static String anyText(Random r) {
        return Text.<String>oneOf(
                        c -> Text.any(c, 200),
                        c -> Text.of(c, "v=DMARC1;p=rejct,:!@ \t\r\nmailto%0123456789kmgt", 200),
                        c -> "v=DMARC1;" + Text.any(c, 100),
                        c -> "v=DMARC1; rua=" + Text.ascii(c, 100))
                .apply(r);
    }

    static String hugeText(Random r) {
        return Text.<String>oneOf(
                        c -> Text.any(c, 50_000, 200_000),
                        c -> "v=DMARC1" + "; rua=mailto:a@example.com!10m".repeat(Text.between(c, 10_000, 50_000)),
                        c -> "v=DMARC1;" + ";".repeat(Text.between(c, 10_000, 200_000)),
                        c -> "v=DMARC1; fo=" + "1:".repeat(Text.between(c, 10_000, 200_000)))
                .apply(r);
    }

    static String mutatedRecord(Random random) {
        StringBuilder b = new StringBuilder(build(random).text);
        int edits = 1 + random.nextInt(5);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, (char) random.nextInt(0x3000));
                default -> b.setCharAt(at, PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())));
            }
        }
        return b.toString();
    }

    /** A record drawn from the RFC 9989 §4.8 grammar, with what the parser must read from it. */
    static final class Spec {
        String text;
        Optional<Policy> p = Optional.empty();
        Optional<Policy> sp = Optional.empty();
        Optional<Policy> np = Optional.empty();
        Optional<AlignmentMode> adkim = Optional.empty();
        Optional<AlignmentMode> aspf = Optional.empty();
        Optional<PsdFlag> psd = Optional.empty();
        Optional<Boolean> t = Optional.empty();
        Optional<FailureOptions> fo = Optional.empty();
        List<ReportUri> rua = List.of();
        List<ReportUri> ruf = List.of();
        Optional<Integer> pct = Optional.empty();
        Optional<Long> ri = Optional.empty();

        @Override
        public String toString() {
            return text;
        }
    }

    static Spec build(Random random) {
        Spec spec = new Spec();
        Map<String, String> tags = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            spec.p = Optional.of(pick(random, Policy.values()));
            tags.put("p", randomCase(random, spec.p.get().token()));
        }
        if (random.nextBoolean()) {
            spec.sp = Optional.of(pick(random, Policy.values()));
            tags.put("sp", randomCase(random, spec.sp.get().token()));
        }
        if (random.nextBoolean()) {
            spec.np = Optional.of(pick(random, Policy.values()));
            tags.put("np", randomCase(random, spec.np.get().token()));
        }
        if (random.nextBoolean()) {
            spec.adkim = Optional.of(pick(random, AlignmentMode.values()));
            tags.put("adkim", spec.adkim.get().token());
        }
        if (random.nextBoolean()) {
            spec.aspf = Optional.of(pick(random, AlignmentMode.values()));
            tags.put("aspf", spec.aspf.get().token());
        }
        if (random.nextBoolean()) {
            spec.psd = Optional.of(pick(random, PsdFlag.values()));
            tags.put("psd", spec.psd.get().token());
        }
        if (random.nextBoolean()) {
            spec.t = Optional.of(random.nextBoolean());
            tags.put("t", spec.t.get() ? "y" : "n");
        }
        if (random.nextBoolean()) {
            List<String> parts = new ArrayList<>();
            int zeroOrOne = random.nextInt(3);
            if (zeroOrOne < 2) {
                parts.add(String.valueOf(zeroOrOne));
            }
            boolean d = random.nextBoolean();
            boolean s = random.nextBoolean() || parts.isEmpty() && !d;
            if (d) {
                parts.add("d");
            }
            if (s) {
                parts.add("s");
            }
            Collections.shuffle(parts, random);
            String text = String.join(":", parts);
            spec.fo = Optional.of(new FailureOptions(zeroOrOne == 0, zeroOrOne == 1, d, s, text));
            tags.put("fo", text);
        }
        if (random.nextBoolean()) {
            spec.rua = uris(random);
            tags.put("rua", uriList(random, spec.rua));
        }
        if (random.nextBoolean()) {
            spec.ruf = uris(random);
            tags.put("ruf", uriList(random, spec.ruf));
        }
        if (random.nextBoolean()) {
            spec.pct = Optional.of(random.nextInt(101));
            tags.put("pct", String.valueOf(spec.pct.get()));
        }
        if (random.nextBoolean()) {
            spec.ri = Optional.of((long) random.nextInt(Integer.MAX_VALUE));
            tags.put("ri", String.valueOf(spec.ri.get()));
        }
        int unknown = random.nextInt(3);
        for (int i = 0; i < unknown; i++) {
            String name = alpha(random, 1 + random.nextInt(6));
            if (!KNOWN.contains(name)) {
                tags.putIfAbsent(name, dmarcValue(random));
            }
        }
        List<String> elements = new ArrayList<>();
        tags.forEach((name, value) -> elements.add(name + equals(random) + value));
        Collections.shuffle(elements, random);
        StringBuilder text = new StringBuilder("v").append(equals(random)).append("DMARC1");
        for (String element : elements) {
            text.append(wsp(random)).append(';').append(wsp(random)).append(element);
        }
        if (random.nextBoolean()) {
            text.append(wsp(random)).append(';').append(wsp(random));
        }
        spec.text = text.toString();
        return spec;
    }

    private static List<ReportUri> uris(Random random) {
        List<ReportUri> uris = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            String mailbox = alpha(random, 1 + random.nextInt(8)).toLowerCase(Locale.ROOT)
                    + pick(random, new String[] {"", ".x", "+tag", "_r", "-1"})
                    + "@" + alpha(random, 1 + random.nextInt(10)).toLowerCase(Locale.ROOT)
                    + pick(random, new String[] {".example", ".example.com", ".co.example"});
            String uri = "mailto:" + mailbox + (random.nextInt(4) == 0 ? "?subject=dmarc" : "");
            Long size = null;
            if (random.nextInt(3) == 0) {
                int amount = 1 + random.nextInt(1000);
                int unit = random.nextInt(5);
                size = (long) amount << (10 * unit);
                uri = uri + "!" + amount + (unit == 0 ? "" : String.valueOf("kmgt".charAt(unit - 1)));
            }
            String stored = uri.contains("!") ? uri.substring(0, uri.indexOf('!')) : uri;
            uris.add(new ReportUri(stored, mailbox, size));
        }
        return uris;
    }

    /** The list as written: the size suffixes were put on the URI text above. */
    private static String uriList(Random random, List<ReportUri> uris) {
        StringBuilder b = new StringBuilder();
        for (ReportUri uri : uris) {
            if (b.length() > 0) {
                b.append(wsp(random)).append(',').append(wsp(random));
            }
            b.append(uri.uri());
            if (uri.maxBytes() != null) {
                b.append('!').append(sizeText(uri.maxBytes()));
            }
        }
        return b.toString();
    }

    private static String sizeText(long bytes) {
        String units = "kmgt";
        for (int unit = 4; unit >= 1; unit--) {
            long factor = 1L << (10 * unit);
            if (bytes % factor == 0) {
                return (bytes / factor) + String.valueOf(units.charAt(unit - 1));
            }
        }
        return String.valueOf(bytes);
    }

    private static String equals(Random random) {
        return wsp(random) + "=" + wsp(random);
    }

    private static String wsp(Random random) {
        return pick(random, new String[] {"", "", " ", "  ", "\t", " \t"});
    }

    private static String alpha(Random random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            char c = (char) ('a' + random.nextInt(26));
            b.append(random.nextBoolean() ? c : Character.toUpperCase(c));
        }
        return b.toString();
    }

    /** 1*dmarc-value without WSP at either end (the separators own those). */
    private static String dmarcValue(Random random) {
        StringBuilder b = new StringBuilder();
        int length = 1 + random.nextInt(12);
        for (int i = 0; i < length; i++) {
            char c;
            do {
                c = (char) (0x20 + random.nextInt(0x5f));
            } while (c == ';' || (c == ' ' && (i == 0 || i == length - 1)));
            b.append(c);
        }
        return b.toString();
    }

    private static String randomCase(Random random, String token) {
        return random.nextInt(4) == 0 ? token.toUpperCase(Locale.ROOT) : token;
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
