package org.dmarcreporter.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.junit.jupiter.api.Test;

class CompilerChoiceTest {

    @Test
    void autoKeepsC2OnlyFromThreeCpus() {
        assertTrue(CompilerChoice.AUTO.quickOnly(1));
        assertTrue(CompilerChoice.AUTO.quickOnly(2));
        assertFalse(CompilerChoice.AUTO.quickOnly(3));
        assertTrue(CompilerChoice.QUICK.quickOnly(64));
        assertFalse(CompilerChoice.FULL.quickOnly(1));
    }

    @Test
    void thePropertyTakesTheThreeNamesInAnyCaseAndDefaultsToAuto() {
        String before = System.getProperty(CompilerChoice.PROPERTY);
        try {
            System.clearProperty(CompilerChoice.PROPERTY);
            assertEquals(CompilerChoice.AUTO, CompilerChoice.fromProperty());
            System.setProperty(CompilerChoice.PROPERTY, " Full ");
            assertEquals(CompilerChoice.FULL, CompilerChoice.fromProperty());
            System.setProperty(CompilerChoice.PROPERTY, "quick");
            assertEquals(CompilerChoice.QUICK, CompilerChoice.fromProperty());
            System.setProperty(CompilerChoice.PROPERTY, "c1");
            UsageException e = assertThrows(UsageException.class, CompilerChoice::fromProperty);
            assertEquals("dmarc.jit must be auto, quick or full, not 'c1'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(CompilerChoice.PROPERTY);
            } else {
                System.setProperty(CompilerChoice.PROPERTY, before);
            }
        }
    }

    @Test
    void theDirectivesReachTheJvmAndExcludeC2ExceptForTheAesGcmLeaves() throws Exception {
        String added = CompilerChoice.addDirective(CompilerChoice.C1_ONLY);
        try {
            assertEquals("2 compiler directives added", added.trim());
            String printed = CompilerChoice.diagnosticCommand("compilerDirectivesPrint");
            // first the crypto leaves (C2 allowed), then every method (C2 excluded), then the JVM's default
            int crypto = printed.indexOf("matching: com/sun/crypto/provider/");
            int all = printed.indexOf("Directive:\n matching: *.*", crypto);
            int byDefault = printed.indexOf("Directive: (default)", all);
            assertTrue(crypto >= 0 && all > crypto && byDefault > all, printed);
            String patterns = printed.substring(crypto, printed.indexOf('\n', crypto));
            for (String leaf : List.of("GHASH.*", "AESCrypt.*", "CounterMode.*", "GaloisCounterMode.implGCMCrypt*")) {
                assertTrue(patterns.contains("com/sun/crypto/provider/" + leaf), patterns);
            }
            assertEquals("Exclude:false", c2Exclude(printed.substring(crypto, all)));
            assertEquals("Exclude:true", c2Exclude(printed.substring(all, byDefault)));
        } finally {
            // each remove takes the newest directive off: ours
            CompilerChoice.diagnosticCommand("compilerDirectivesRemove");
            CompilerChoice.diagnosticCommand("compilerDirectivesRemove");
        }
        assertFalse(CompilerChoice.diagnosticCommand("compilerDirectivesPrint").contains("Exclude:true"));
    }

    private static String c2Exclude(String directive) {
        String c2 = directive.substring(directive.indexOf("c2 directives:"));
        int at = c2.indexOf("Exclude:");
        return c2.substring(at, c2.indexOf(' ', at));
    }
}
