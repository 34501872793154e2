package org.dmarcreporter.local;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the JVM's JIT compilers compile the local runtime's code ({@code docs/command-line.md},
 * "Compilers"). On one or two CPUs the optimising compiler (C2) takes more than it gives to this
 * runtime: a fresh {@code serve} spent about a third of its CPU in it, first on ingest and then
 * again on the first send-now's path, on the same cores as the requests. So there, by default,
 * only the quick compiler (C1) compiles, as {@code -XX:TieredStopAtLevel=1} would; on more CPUs
 * C2 works beside the requests and its faster code is worth it.
 *
 * <p>The contract's {@code java -jar} passes no JVM flags, so the choice is made from inside: a
 * compiler directive ({@link #C1_ONLY}) that keeps every method but the JDK's AES-GCM ones from C2,
 * added through the JVM's DiagnosticCommand MBean (what {@code jcmd <pid> Compiler.directives_add}
 * does). A method C2 may not compile is compiled by C1 without profiling. A JVM without that MBean
 * keeps its defaults.
 */
enum CompilerChoice {
    /** C1 only on one or two CPUs, both compilers on more. */
    AUTO,
    /** C1 only (but for the AES-GCM methods, {@link #C1_ONLY}). */
    QUICK,
    /** The JVM's default: C1, then C2 for hot code. */
    FULL;

    /** {@code -Ddmarc.jit=auto|quick|full}. */
    static final String PROPERTY = "dmarc.jit";

    /**
     * Every method kept from C2 (HotSpot's compiler directive format; the first match applies),
     * except the JDK's AES-GCM leaves. C2 turns those into the CPU's AES and carry-less multiply
     * instructions (intrinsics) and compiles them quickly; C1 runs them as plain Java, which made
     * TLS encryption about a tenth of a C1-only send-now's CPU (perf: 8.7% of the workers' samples
     * under {@code Cipher.doFinal}, 1.0% with this exception).
     */
    static final String C1_ONLY = "[{match: [\"com/sun/crypto/provider/GHASH.*\","
            + " \"com/sun/crypto/provider/AESCrypt.*\", \"com/sun/crypto/provider/CounterMode.*\","
            + " \"com/sun/crypto/provider/GaloisCounterMode.implGCMCrypt*\"], c2: {Exclude: false}},"
            + " {match: \"*.*\", c2: {Exclude: true}}]";

    private static final Logger LOG = LoggerFactory.getLogger(CompilerChoice.class);

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";

    /** The choice in {@link #PROPERTY}; AUTO when it is not set. */
    static CompilerChoice fromProperty() {
        String value = System.getProperty(PROPERTY, "auto");
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(PROPERTY + " must be auto, quick or full, not '" + value + "'");
        }
    }

    /** Whether only C1 should compile on a machine with {@code cpus} CPUs. */
    boolean quickOnly(int cpus) {
        return this == QUICK || this == AUTO && cpus <= 2;
    }

    /**
     * Adds the C1-only directive when this choice asks for it on this machine, on a thread of its
     * own: starting the platform MBean server takes about 0.2 s, which start-up need not wait for
     * (the few methods C2 compiles meanwhile keep that code).
     */
    void applyInBackground() {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (!quickOnly(cpus)) {
            return;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        if (!tiered()) {
                            // without C1 (-XX:-TieredCompilation) a method kept from C2 would stay interpreted
                            LOG.info("JIT: as the JVM options say (tiered compilation is off, so there is no C1)");
                            return;
                        }
                        addDirective(C1_ONLY);
                        LOG.info(
                                "JIT: C1 only, C2 for AES-GCM ({} CPUs, {}={}; -D{}=full keeps C2)",
                                cpus,
                                PROPERTY,
                                name().toLowerCase(Locale.ROOT),
                                PROPERTY);
                    } catch (Exception e) {
                        LOG.info(
                                "JIT: the JVM's default compilers (the C1-only directive was refused: {})",
                                e.toString());
                    }
                },
                "compiler-choice");
        t.setDaemon(true);
        t.start();
    }

    /** Whether this JVM compiles with C1 first (tiered compilation), so that C1 can stand in for C2. */
    static boolean tiered() {
        HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        return hotSpot != null
                && "true".equals(hotSpot.getVMOption("TieredCompilation").getValue())
                && !"0".equals(hotSpot.getVMOption("TieredStopAtLevel").getValue());
    }

    /** Adds a compiler directive to this JVM; answers what the JVM said. */
    static String addDirective(String json) throws JMException, java.io.IOException {
        Path file = Files.createTempFile("dmarc-jit-", ".json");
        try {
            Files.writeString(file, json, StandardCharsets.UTF_8);
            return diagnosticCommand("compilerDirectivesAdd", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs a DiagnosticCommand MBean operation (a jcmd command) in this JVM; answers its output. */
    static String diagnosticCommand(String operation, String... arguments) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Object out =
                server.invoke(new ObjectName(DIAGNOSTIC_COMMAND), operation, new Object[] {arguments}, new String[] {
                    String[].class.getName()
                });
        return String.valueOf(out);
    }
}
