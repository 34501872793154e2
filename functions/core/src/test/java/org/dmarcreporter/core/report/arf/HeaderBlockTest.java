package org.dmarcreporter.core.report.arf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dmarcreporter.core.testing.RandomCases;
import org.dmarcreporter.core.testing.Text;
import org.junit.jupiter.api.Test;

class HeaderBlockTest {

    @Test
    void fieldsKeepTheirFoldsAndTheBodyIsCutOff() {
        HeaderBlock block =
                HeaderBlock.parse("Subject: a\r\n long subject\r\nFrom: x@example.com\r\n\r\nbody: text\r\n");
        assertThat(block.fields())
                .containsExactly(
                        new HeaderBlock.Field("Subject", " a\r\n long subject"),
                        new HeaderBlock.Field("From", " x@example.com"));
        assertThat(block.first("subject")).contains("a long subject");
        assertThat(block.toText()).isEqualTo("Subject: a\r\n long subject\r\nFrom: x@example.com\r\n");
    }

    @Test
    void linesThatAreNotHeaderFieldsAreDropped() {
        HeaderBlock block = HeaderBlock.parse("From mbox-separator Tue\nX-A: 1\n--boundary\n: no name\nX-B:2\r");
        assertThat(block.toText()).isEqualTo("X-A: 1\r\nX-B:2\r\n");
    }

    @Test
    void bareLineEndsAndControlsInsideAValueBecomeLinesOrSpaces() {
        // A lone CR or LF ends a line (so "Bcc" below is a field of the quoted block, never of our message).
        assertThat(HeaderBlock.parse("X-A: a\rBcc: b\nX-C: c\u0000d").toText())
                .isEqualTo("X-A: a\r\nBcc: b\r\nX-C: c d\r\n");
    }

    @Test
    void emptyAndNullGiveNoFields() {
        assertThat(HeaderBlock.parse(null).isEmpty()).isTrue();
        assertThat(HeaderBlock.parse("").isEmpty()).isTrue();
        assertThat(HeaderBlock.parse("\r\n\r\nbody only").isEmpty()).isTrue();
        // Empty lines before the first field are skipped, not taken as the end of the header section.
        assertThat(HeaderBlock.parse("\r\nX-A: 1\r\n\r\nY: body").toText()).isEqualTo("X-A: 1\r\n");
    }

    @Test
    void anyTextGivesOnlyFieldLinesAndContinuations() {
        RandomCases.forAll(
                2_000,
                r -> Text.oneOf(
                                x -> Text.any(x, 400),
                                x -> Text.of(x, "ab: \t\r\n-:", 200),
                                x -> String.join(
                                        "\r\n",
                                        List.of(
                                                Text.of(x, "Xy-", 1, 8) + ":" + Text.any(x, 40),
                                                " " + Text.any(x, 40),
                                                Text.any(x, 40))))
                        .apply(r),
                text -> {
                    String out = HeaderBlock.parse(text).toText();
                    assertThat(out.isEmpty() || out.endsWith("\r\n")).isTrue();
                    assertThat(out.replace("\r\n", "")).doesNotContain("\r", "\n");
                    for (String line : out.split("\r\n")) {
                        if (!line.isEmpty()) {
                            assertThat(line).matches("(?s)([!-9;-~]+:.*|[ \t].*)");
                        }
                    }
                    // Parsing what we wrote gives the same block: nothing is lost on a second pass.
                    assertThat(HeaderBlock.parse(out).toText()).isEqualTo(out);
                });
    }
}
