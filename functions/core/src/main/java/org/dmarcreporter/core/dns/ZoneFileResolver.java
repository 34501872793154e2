package org.dmarcreporter.core.dns;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Answers DNS questions from RFC 1035 master files instead of the network: the local runtime's
 * {@code --zone-file} (repeatable) and tests. Offline, the loaded files are all there is: a name
 * neither in them nor above them is NXDOMAIN. See {@link ZoneData} for the exact rules (empty
 * non-terminals exist, RFC 4592 wildcards, CNAMEs followed, case-insensitive names). Files need no
 * SOA or NS records. Immutable and thread-safe; never throws once built.
 */
public final class ZoneFileResolver implements DnsResolver {

    private final ZoneData zones;

    private ZoneFileResolver(ZoneData zones) {
        this.zones = zones;
    }

    /**
     * Reads master files, in order; records of all files are merged.
     *
     * @throws ZoneFileException naming the file and line of the first error
     */
    public static ZoneFileResolver fromPaths(List<Path> files) {
        List<ZoneData.Source> sources = new ArrayList<>();
        for (Path file : files) {
            sources.add(ZoneData.file(Objects.requireNonNull(file, "zone file")));
        }
        return new ZoneFileResolver(ZoneData.parse(sources));
    }

    /**
     * Zone text, one string per master file ({@code $INCLUDE} is refused). Errors name the text as
     * {@code text#1}, {@code text#2}, ... in the order given.
     *
     * @throws ZoneFileException naming the text and line of the first error
     */
    public static ZoneFileResolver fromText(String... zoneTexts) {
        List<ZoneData.Source> sources = new ArrayList<>();
        for (int i = 0; i < zoneTexts.length; i++) {
            sources.add(ZoneData.text("text#" + (i + 1), Objects.requireNonNull(zoneTexts[i], "zone text")));
        }
        return new ZoneFileResolver(ZoneData.parse(sources));
    }

    @Override
    public TxtAnswer txt(String name) {
        String canonical = DnsNames.canonical(Objects.requireNonNull(name, "name"));
        if (canonical == null) {
            return TxtAnswer.NXDOMAIN; // not a valid domain name, so nothing can exist there
        }
        ZoneData.Answer answer = zones.lookup(canonical, Type.TXT);
        if (answer.status() == DnsStatus.TEMPFAIL) {
            return TxtAnswer.TEMPFAIL;
        }
        if (!answer.questionNameExists()) {
            return TxtAnswer.NXDOMAIN;
        }
        return TxtAnswer.of(texts(answer.records()));
    }

    @Override
    public DnsStatus exists(String name) {
        String canonical = DnsNames.canonical(Objects.requireNonNull(name, "name"));
        return canonical != null && zones.exists(canonical) ? DnsStatus.NOERROR : DnsStatus.NXDOMAIN;
    }

    /** Package-private: the parsed data, for test resolvers that answer dnsjava queries from it. */
    ZoneData zones() {
        return zones;
    }

    /** Each TXT record's character-strings concatenated in order (RFC 9989 §4.5); CNAMEs skipped. */
    static List<String> texts(List<Record> records) {
        List<String> texts = new ArrayList<>(records.size());
        for (Record record : records) {
            if (record instanceof TXTRecord txt) {
                texts.add(concatenate(txt));
            }
        }
        return texts;
    }

    /** Joined as octets before decoding, so a UTF-8 sequence split across strings survives. */
    static String concatenate(TXTRecord txt) {
        List<byte[]> strings = txt.getStringsAsByteArrays();
        if (strings.size() == 1) {
            return new String(strings.get(0), StandardCharsets.UTF_8);
        }
        int length = 0;
        for (byte[] s : strings) {
            length += s.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] s : strings) {
            System.arraycopy(s, 0, joined, at, s.length);
            at += s.length;
        }
        return new String(joined, StandardCharsets.UTF_8);
    }
}
