package org.dmarcreporter.core.record;

/** What {@link DmarcRecordParser#parse(String)} found: a record, or why the text is not one. */
public sealed interface RecordParseResult {

    record Valid(DmarcRecord record) implements RecordParseResult {}

    /** Not a DMARC record; {@code reason} is short text for logs and report {@code error} elements. */
    record Invalid(Reason reason, String detail) implements RecordParseResult {}

    enum Reason {
        /** Empty or only whitespace. */
        EMPTY,
        /** The first tag is not exactly {@code v=DMARC1} (RFC 9989 §4.7). */
        NOT_DMARC1,
        /** Not a tag-value list at all (a tag without {@code =}, a name that is not ALPHA). */
        SYNTAX
    }
}
