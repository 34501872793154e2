package org.dmarcreporter.core.report.mail;

import jakarta.mail.Session;
import java.util.Properties;

/**
 * The Jakarta Mail session our messages are built with (no transport: it only composes).
 *
 * <p>Jakarta Mail 2.1 looks its StreamProvider up through ServiceLoader on every multipart and
 * every encoded part, a scan of the class path each time (about 40% of the time to build a
 * report); naming the provider the ServiceLoader would find (Angus's) in the system property it
 * checks first skips the scan.
 */
public final class MimeSession {

    private static final Session SESSION;

    static {
        String property = "jakarta.mail.util.StreamProvider";
        String angus = "org.eclipse.angus.mail.util.MailStreamProvider";
        try {
            if (System.getProperty(property) == null) {
                Class.forName(angus, false, MimeSession.class.getClassLoader());
                System.setProperty(property, angus);
            }
        } catch (ClassNotFoundException | SecurityException e) {
            // another provider, or no permission: the ServiceLoader lookup still works, only slower
        }
        SESSION = Session.getInstance(new Properties());
    }

    private MimeSession() {}

    /** The shared session; safe for concurrent use (it holds no per-message state). */
    public static Session get() {
        return SESSION;
    }
}
