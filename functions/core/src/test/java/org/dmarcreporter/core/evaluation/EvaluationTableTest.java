package org.dmarcreporter.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.dmarcreporter.core.api.FieldError;
import org.dmarcreporter.core.api.ResultReader;
import org.dmarcreporter.core.dns.DnsResolver;
import org.dmarcreporter.core.dns.DnsStatus;
import org.dmarcreporter.core.dns.TxtAnswer;
import org.dmarcreporter.core.dns.ZoneFileResolver;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.Verdict;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * DMARC verdicts for a table of messages, one JSON file per case under
 * {@code src/test/resources/evaluation/}. Expected values come from the RFC rules each case's
 * {@code why} names (RFC 9989 §4.4, §4.7, §4.10, §5.3), not from the implementation.
 *
 * <p>Case file: {@code name}, {@code why}; {@code zone}: the lines of an RFC 1035 master file
 * (absolute names); optional {@code timeouts}: names whose TXT and existence questions answer
 * TEMPFAIL; {@code result}: a result object of {@code docs/ingest-api.md}, read by {@link ResultReader};
 * {@code expect}: the verdict fields {@code dmarc}, {@code disposition}, {@code policyDomain}
 * (null when none applies), {@code dkimAligned}, {@code spfAligned}, and optionally
 * {@code queried}/{@code notQueried}: TXT names that must / must not have been asked.
 */
class EvaluationTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> evaluationTable() throws IOException {
        List<Path> files = caseFiles();
        return files.stream()
                .map(file -> DynamicTest.dynamicTest(
                        file.getFileName().toString().replace(".json", ""), () -> runCase(file)));
    }

    @Test
    void tableHasAtLeastFortyCases() throws IOException {
        assertThat(caseFiles()).hasSizeGreaterThanOrEqualTo(40);
    }

    private static List<Path> caseFiles() throws IOException {
        URL dir = EvaluationTableTest.class.getResource("/evaluation");
        assertThat(dir).as("test resources folder evaluation/").isNotNull();
        Path root;
        try {
            root = Path.of(dir.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(root)) {
            list.filter(p -> p.getFileName().toString().endsWith(".json")).forEach(files::add);
        }
        Collections.sort(files);
        return files;
    }

    private static void runCase(Path file) throws IOException {
        JsonNode c = JSON.readTree(file.toFile());
        String zone = zoneText(c.get("zone"));
        Set<String> timeouts = new LinkedHashSet<>();
        if (c.hasNonNull("timeouts")) {
            c.get("timeouts").forEach(n -> timeouts.add(canonical(n.asText())));
        }
        List<FieldError> errors = new ArrayList<>();
        AuthenticationResult result = ResultReader.readOne(c.get("result"), null, errors);
        assertThat(errors).as("result object of " + file.getFileName()).isEmpty();

        RecordingResolver dns = new RecordingResolver(ZoneFileResolver.fromText(zone), timeouts);
        Verdict verdict = new DmarcEvaluator(dns).evaluate(result).toVerdict("case");

        JsonNode expect = c.get("expect");
        String why = c.path("why").asText();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(verdict.dmarc().token())
                .as("dmarc (" + why + ")")
                .isEqualTo(expect.get("dmarc").asText());
        softly.assertThat(verdict.disposition().token())
                .as("disposition")
                .isEqualTo(expect.get("disposition").asText());
        softly.assertThat(verdict.policyDomain())
                .as("policyDomain")
                .isEqualTo(
                        expect.get("policyDomain").isNull()
                                ? null
                                : expect.get("policyDomain").asText());
        softly.assertThat(verdict.dkimAligned())
                .as("dkimAligned")
                .isEqualTo(expect.get("dkimAligned").asBoolean());
        softly.assertThat(verdict.spfAligned())
                .as("spfAligned")
                .isEqualTo(expect.get("spfAligned").asBoolean());
        softly.assertThat(verdict.messageId()).as("messageId").isEqualTo("case");
        if (expect.has("queried")) {
            expect.get("queried")
                    .forEach(n -> softly.assertThat(dns.txtQuestions)
                            .as("TXT questions asked")
                            .contains(canonical(n.asText())));
        }
        if (expect.has("notQueried")) {
            expect.get("notQueried")
                    .forEach(n -> softly.assertThat(dns.txtQuestions)
                            .as("TXT questions asked")
                            .doesNotContain(canonical(n.asText())));
        }
        softly.assertAll();
    }

    private static String zoneText(JsonNode zone) {
        if (zone.isTextual()) {
            return zone.asText();
        }
        StringBuilder b = new StringBuilder();
        zone.forEach(line -> b.append(line.asText()).append('\n'));
        return b.toString();
    }

    private static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Answers from the zone, except TEMPFAIL for the listed names; records the TXT questions. */
    private static final class RecordingResolver implements DnsResolver {
        private final DnsResolver zone;
        private final Set<String> timeouts;
        final List<String> txtQuestions = Collections.synchronizedList(new ArrayList<>());

        RecordingResolver(DnsResolver zone, Set<String> timeouts) {
            this.zone = zone;
            this.timeouts = timeouts;
        }

        @Override
        public TxtAnswer txt(String name) {
            String n = canonical(name);
            txtQuestions.add(n);
            return timeouts.contains(n) ? TxtAnswer.TEMPFAIL : zone.txt(name);
        }

        @Override
        public DnsStatus exists(String name) {
            return timeouts.contains(canonical(name)) ? DnsStatus.TEMPFAIL : zone.exists(name);
        }
    }
}
