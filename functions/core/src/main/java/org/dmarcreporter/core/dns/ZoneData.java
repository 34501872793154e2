package org.dmarcreporter.core.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Records from RFC 1035 master files, answering questions the way an authoritative server would.
 *
 * <p>dnsjava's {@code Master} parses the files, but lookups use this small name table rather than
 * {@code org.xbill.DNS.Zone}: a Zone insists on an SOA and NS records (a nuisance in a test zone of
 * three TXT records), and holding every file in one table makes several files and nested zones
 * trivial. Rules:
 * <ul>
 *   <li>a name exists when it owns records or has a descendant that does, i.e. empty non-terminals
 *       exist (RFC 8020: NXDOMAIN means nothing exists at or below the name); names above the loaded
 *       data (such as {@code com} for a file about {@code example.com}) therefore exist too;</li>
 *   <li>a name that does not exist is matched by {@code *.<closest encloser>} when that wildcard is
 *       loaded (RFC 4592 §3.3.1); otherwise NXDOMAIN, which includes every name outside the loaded
 *       zones: offline, nothing else is known;</li>
 *   <li>CNAMEs are followed (at most {@value #MAX_CNAME_HOPS} hops, then SERVFAIL as a resolver
 *       would), as a recursive resolver does; delegations (NS below an apex) are not: all loaded data
 *       is treated as authoritative;</li>
 *   <li>names compare case-insensitively (RFC 4343); records without a TTL get {@value #DEFAULT_TTL} s;
 *       a file without {@code $ORIGIN} has the root as origin, so its names are absolute with or
 *       without the trailing dot.</li>
 * </ul>
 */
final class ZoneData {

    static final long DEFAULT_TTL = 3600;
    static final int MAX_CNAME_HOPS = 8;

    /** dnsjava's parse errors read {@code "<file>:<line>: <message>"}. */
    private static final Pattern PARSE_ERROR = Pattern.compile("^.*?:(\\d+): (.*)$", Pattern.DOTALL);

    /** Owner name (canonical text) -> records at that name, by type. */
    private final Map<String, Map<Integer, List<Record>>> owners;
    /** Every owner name and each of its ancestors up to the root. */
    private final Set<String> existing;
    /** Zone apex (canonical text) -> its SOA, for negative answers (RFC 2308 §3). */
    private final Map<String, SOARecord> soas;

    private ZoneData(
            Map<String, Map<Integer, List<Record>>> owners, Set<String> existing, Map<String, SOARecord> soas) {
        this.owners = owners;
        this.existing = existing;
        this.soas = soas;
    }

    /** What an authoritative server would answer: status of the last name in the CNAME chain. */
    record Answer(DnsStatus status, List<Record> records, SOARecord soa) {

        /** True when the question's own name exists, though the chain's last name may not (RFC 6604). */
        boolean questionNameExists() {
            return status == DnsStatus.NOERROR || !records.isEmpty();
        }
    }

    /** One master file to read: its text, and how to name it in errors. */
    record Source(String label, String text, Path path) {}

    static Source text(String label, String zoneText) {
        return new Source(label, zoneText, null);
    }

    static Source file(Path path) {
        return new Source(path.toString(), null, path);
    }

    /**
     * Parses every source; fails on the first bad one.
     *
     * @throws ZoneFileException naming the source and line of the first error
     */
    static ZoneData parse(List<Source> sources) {
        Builder builder = new Builder();
        for (Source source : sources) {
            for (Record record : read(source)) {
                builder.add(record);
            }
        }
        return builder.build();
    }

    private static List<Record> read(Source source) {
        List<Record> records = new ArrayList<>();
        try (Master master = open(source)) {
            Record record;
            while ((record = master.nextRecord()) != null) {
                records.add(record);
            }
        } catch (IOException e) {
            throw parseError(source.label(), e);
        } catch (RuntimeException e) {
            // dnsjava reports some bad rdata (e.g. oversized strings) as unchecked exceptions.
            throw new ZoneFileException(source.label(), 0, String.valueOf(e.getMessage()), e);
        }
        return records;
    }

    private static Master open(Source source) throws IOException {
        if (source.path() == null) {
            Master master = new Master(
                    new ByteArrayInputStream(source.text().getBytes(StandardCharsets.UTF_8)), Name.root, DEFAULT_TTL);
            master.disableIncludes(true);
            return master;
        }
        if (!Files.isRegularFile(source.path())) {
            throw new ZoneFileException(source.label(), 0, "not a readable file", null);
        }
        return new Master(source.path().toString(), Name.root, DEFAULT_TTL);
    }

    private static ZoneFileException parseError(String label, IOException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof TextParseException) {
            Matcher m = PARSE_ERROR.matcher(message);
            if (m.matches()) {
                return new ZoneFileException(label, Integer.parseInt(m.group(1)), m.group(2), e);
            }
        }
        return new ZoneFileException(label, 0, message, e);
    }

    /** Whether {@code name} (canonical text) exists, directly, as an empty non-terminal or by wildcard. */
    boolean exists(String name) {
        return existing.contains(name) || wildcardFor(name) != null;
    }

    /** The answer to a question for {@code type} at {@code name} (canonical text). */
    Answer lookup(String name, int type) {
        List<Record> chain = new ArrayList<>(2);
        String current = name;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Map<Integer, List<Record>> node = owners.get(current);
            boolean synthesised = false;
            if (node == null) {
                if (existing.contains(current)) {
                    return new Answer(DnsStatus.NOERROR, chain, soaFor(current));
                }
                node = wildcardFor(current);
                if (node == null) {
                    return new Answer(DnsStatus.NXDOMAIN, chain, soaFor(current));
                }
                synthesised = true;
            }
            List<Record> found = node.get(type);
            if (found != null) {
                List<Record> answers = new ArrayList<>(chain);
                for (Record r : found) {
                    answers.add(synthesised ? r.withName(ownerName(current)) : r);
                }
                return new Answer(DnsStatus.NOERROR, answers, null);
            }
            List<Record> cname = type == Type.CNAME ? null : node.get(Type.CNAME);
            if (cname == null) {
                return new Answer(DnsStatus.NOERROR, chain, soaFor(current));
            }
            CNAMERecord alias = (CNAMERecord) cname.get(0);
            chain.add(synthesised ? alias.withName(ownerName(current)) : alias);
            current = DnsNames.canonical(alias.getTarget());
        }
        // A CNAME loop or an over-long chain: resolvers give up with SERVFAIL.
        return new Answer(DnsStatus.TEMPFAIL, List.of(), null);
    }

    /** RFC 4592 §3.3.1: the wildcard child of the closest encloser, when {@code name} does not exist. */
    private Map<Integer, List<Record>> wildcardFor(String name) {
        String encloser = name;
        while (!existing.contains(encloser)) {
            if (encloser.isEmpty()) {
                return null;
            }
            encloser = parent(encloser);
        }
        return owners.get(encloser.isEmpty() ? "*" : "*." + encloser);
    }

    /** The SOA of the closest enclosing zone, or null when none of the loaded files has one. */
    private SOARecord soaFor(String name) {
        String current = name;
        while (true) {
            SOARecord soa = soas.get(current);
            if (soa != null || current.isEmpty()) {
                return soa;
            }
            current = parent(current);
        }
    }

    /** The name one label up (canonical text); escaped dots ({@code \\.}) inside a label are skipped. */
    static String parent(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\') {
                i += i + 1 < name.length() && Character.isDigit(name.charAt(i + 1)) ? 3 : 1;
            } else if (c == '.') {
                return name.substring(i + 1);
            }
        }
        return "";
    }

    private static Name ownerName(String canonical) {
        try {
            return DnsNames.toName(canonical);
        } catch (TextParseException e) {
            throw new IllegalStateException("canonical name did not parse: " + canonical, e);
        }
    }

    private static final class Builder {
        private final Map<String, Map<Integer, List<Record>>> owners = new HashMap<>();
        private final Set<String> existing = new HashSet<>();
        private final Map<String, SOARecord> soas = new HashMap<>();

        void add(Record record) {
            String owner = DnsNames.canonical(record.getName());
            List<Record> rrset = owners.computeIfAbsent(owner, k -> new HashMap<>())
                    .computeIfAbsent(record.getType(), k -> new ArrayList<>());
            if (!rrset.contains(record)) { // an RRset is a set: duplicates across files collapse
                rrset.add(record);
            }
            if (record instanceof SOARecord soa) {
                soas.putIfAbsent(owner, soa);
            }
            for (String name = owner; existing.add(name) && !name.isEmpty(); name = parent(name)) {
                // adds the owner and its ancestors up to the first one already known
            }
        }

        ZoneData build() {
            Map<String, Map<Integer, List<Record>>> frozen = new HashMap<>();
            owners.forEach((name, byType) -> {
                Map<Integer, List<Record>> types = new HashMap<>();
                byType.forEach((type, records) -> types.put(type, List.copyOf(records)));
                frozen.put(name, Map.copyOf(types));
            });
            return new ZoneData(Map.copyOf(frozen), Set.copyOf(existing), Map.copyOf(soas));
        }
    }
}
