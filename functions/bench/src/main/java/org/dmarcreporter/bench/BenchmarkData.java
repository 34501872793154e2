package org.dmarcreporter.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dmarcreporter.core.model.AuthenticationResult;
import org.dmarcreporter.core.model.DkimCheck;
import org.dmarcreporter.core.model.DkimResult;
import org.dmarcreporter.core.model.SpfCheck;
import org.dmarcreporter.core.model.SpfResult;
import org.dmarcreporter.core.model.SpfScope;

/**
 * A made-up but realistic slice of mail, generated from a fixed seed: zone text publishing DMARC
 * records for 400 Organizational Domains and some of their 600 subdomains (p=none/quarantine/
 * reject, strict and relaxed alignment, sp, np, t=y, psd=n, a psd=y public suffix, domains with no
 * record), and messages from those 1,000 From domains with DKIM and SPF results that pass and fail,
 * aligned and not (same domain, same Organizational Domain, third-party senders).
 */
final class BenchmarkData {

    /** Distinct RFC5322.From domains: {@value} Organizational Domains plus their subdomains. */
    static final int ORGANIZATIONS = 400;

    static final int SUBDOMAINS = 600;
    static final int SENDERS = 20;

    private static final String[] TLDS = {"com", "net", "org", "de", "io", "co.uk", "bank"};
    private static final String[] SUB_LABELS = {"mail", "news", "shop", "eu.mail", "a.b", "billing", "x1.x2.x3.x4.x5.x6"
    };

    private final Random random = new Random(20250101L);
    private final StringBuilder zone = new StringBuilder();
    private final List<String> organizations = new ArrayList<>();
    private final List<String> fromDomains = new ArrayList<>();
    private final List<String> orgOfFrom = new ArrayList<>();
    private final List<String> senders = new ArrayList<>();

    BenchmarkData() {
        for (String tld : TLDS) {
            // Negative answers below each suffix are kept 15 minutes (SOA MINIMUM, capped).
            zone.append(tld)
                    .append(". 86400 IN SOA a.nic.")
                    .append(tld)
                    .append(". hostmaster.nic.")
                    .append(tld)
                    .append(". 1 7200 900 1209600 3600\n");
        }
        // A public suffix publishing a PSD policy (RFC 9989 §4.10, psd=y).
        txt("_dmarc.bank", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@registry.bank");
        for (int i = 0; i < SENDERS; i++) {
            String sender = "esp" + i + ".net";
            senders.add(sender);
            txt("_dmarc." + sender, "v=DMARC1; p=none; rua=mailto:dmarc@" + sender);
            a("mail." + sender);
        }
        for (int i = 0; i < ORGANIZATIONS; i++) {
            String org = "brand" + i + "." + TLDS[i % TLDS.length];
            organizations.add(org);
            fromDomains.add(org);
            orgOfFrom.add(org);
            a(org);
            a("bounces." + org);
            if (!org.endsWith(".bank") ? random.nextInt(100) < 85 : random.nextInt(100) < 40) {
                txt("_dmarc." + org, randomRecord(org, false));
            }
        }
        for (int i = 0; i < SUBDOMAINS; i++) {
            String org = organizations.get(i % ORGANIZATIONS);
            String sub = SUB_LABELS[(i / ORGANIZATIONS + i) % SUB_LABELS.length] + (i >= ORGANIZATIONS ? "2" : "") + "."
                    + org;
            fromDomains.add(sub);
            orgOfFrom.add(org);
            if (random.nextInt(100) < 80) {
                a(sub); // the rest do not exist: np applies to them
            }
            if (random.nextInt(100) < 10) {
                txt("_dmarc." + sub, randomRecord(org, true));
            }
        }
    }

    private String randomRecord(String org, boolean subdomain) {
        int p = random.nextInt(100);
        StringBuilder r = new StringBuilder("v=DMARC1; p=").append(p < 30 ? "none" : p < 60 ? "quarantine" : "reject");
        if (random.nextInt(100) < 25) {
            r.append("; adkim=s");
        }
        if (random.nextInt(100) < 25) {
            r.append("; aspf=s");
        }
        if (random.nextInt(100) < 20) {
            r.append("; sp=").append(random.nextBoolean() ? "none" : "quarantine");
        }
        if (random.nextInt(100) < 15) {
            r.append("; np=reject");
        }
        if (random.nextInt(100) < 5) {
            r.append("; t=y");
        }
        if (!subdomain && random.nextInt(100) < 5) {
            r.append("; psd=n");
        }
        r.append("; rua=mailto:dmarc-rua@").append(org);
        if (random.nextInt(100) < 30) {
            r.append(",mailto:rua@reports.esp0.net; ruf=mailto:ruf@")
                    .append(org)
                    .append("; fo=1");
        }
        return r.toString();
    }

    private void txt(String name, String text) {
        zone.append(name).append(". 3600 IN TXT");
        // Split long records into several character-strings, as publishers often do.
        for (int at = 0; at < text.length(); at += 40) {
            zone.append(" \"")
                    .append(text, at, Math.min(text.length(), at + 40))
                    .append('"');
        }
        zone.append('\n');
    }

    private void a(String name) {
        zone.append(name).append(". 3600 IN A 192.0.2.1\n");
    }

    /** All zone text (absolute names, one SOA per suffix). */
    String zoneText() {
        return zone.toString();
    }

    /** Distinct From domains the messages use. */
    List<String> fromDomains() {
        return fromDomains;
    }

    /** {@code count} messages from random From domains with a mix of authentication results. */
    List<AuthenticationResult> messages(int count) {
        List<AuthenticationResult> messages = new ArrayList<>(count);
        Instant received = Instant.parse("2025-01-01T00:00:00Z");
        for (int n = 0; n < count; n++) {
            int f = random.nextInt(fromDomains.size());
            String from = fromDomains.get(f);
            String org = orgOfFrom.get(f);
            String sender = senders.get(random.nextInt(senders.size()));
            String headerFrom = switch (random.nextInt(4)) {
                case 0 -> "user" + n + "@" + from;
                case 1 -> "\"Person " + n + "\" <user" + n + "@" + from + ">";
                case 2 -> "Newsletter <news@" + from.toUpperCase() + ">";
                default -> "Support <support@" + from + ">";
            };
            List<DkimCheck> dkim = new ArrayList<>(2);
            int d = random.nextInt(100);
            if (d < 45) {
                dkim.add(signature(from));
            } else if (d < 65) {
                dkim.add(signature(org));
            } else if (d < 80) {
                dkim.add(signature(sender));
            } else if (d < 90) {
                dkim.add(signature(sender));
                dkim.add(signature(from));
            }
            int s = random.nextInt(100);
            String envelopeFrom;
            String helo = "mail." + sender;
            if (s < 40) {
                envelopeFrom = "bounce+" + n + "@" + from;
            } else if (s < 65) {
                envelopeFrom = "bounce@bounces." + org;
            } else if (s < 90) {
                envelopeFrom = "<bounce-" + n + "@" + sender + ">";
            } else {
                envelopeFrom = ""; // null sender: SPF checked the HELO identity
            }
            int r = random.nextInt(100);
            SpfResult spfResult =
                    r < 75 ? SpfResult.PASS : r < 85 ? SpfResult.SOFTFAIL : r < 95 ? SpfResult.FAIL : SpfResult.NONE;
            SpfCheck spf = envelopeFrom.isEmpty()
                    ? new SpfCheck(spfResult, helo, SpfScope.HELO)
                    : new SpfCheck(spfResult, null, SpfScope.MFROM);
            messages.add(new AuthenticationResult(
                    "<" + n + "@bench>",
                    received.plusSeconds(n),
                    "192.0.2." + (n % 250 + 1),
                    25,
                    helo,
                    envelopeFrom,
                    List.of("rcpt@receiver.example"),
                    headerFrom,
                    spf,
                    dkim,
                    null));
        }
        return messages;
    }

    private DkimCheck signature(String domain) {
        int r = random.nextInt(100);
        DkimResult result = r < 85 ? DkimResult.PASS : r < 97 ? DkimResult.FAIL : DkimResult.NEUTRAL;
        return new DkimCheck(result, domain, "s" + random.nextInt(3), false);
    }
}
