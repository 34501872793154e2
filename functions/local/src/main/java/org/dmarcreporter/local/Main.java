package org.dmarcreporter.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.dmarcreporter.core.store.StoreUnavailableException;
import org.dmarcreporter.local.CommandLine.Command;
import org.dmarcreporter.local.CommandLine.Help;
import org.dmarcreporter.local.CommandLine.SendNow;
import org.dmarcreporter.local.CommandLine.Serve;
import org.dmarcreporter.local.CommandLine.UsageException;
import org.dmarcreporter.local.CommandLine.Version;
import sun.misc.Signal;

/**
 * {@code java -jar dmarc-local.jar ...} ({@code docs/command-line.md}). Exit status: 0 done (also after SIGTERM
 * or Ctrl-C stopped {@code serve} cleanly; {@code send-now} with nothing failed), 1 failed while
 * running (port taken, store unusable, a running serve that does not answer), 2 bad command line
 * or settings, 3 {@code send-now} done but a report failed for a recipient or a window.
 */
public final class Main {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        CountDownLatch stopSignal = new CountDownLatch(1);
        handleStopSignals(stopSignal); // before starting, so an early SIGTERM also stops cleanly
        if (args.length > 0 && (args[0].equals("serve") || args[0].equals("send-now"))) {
            // Here rather than in run(): it changes the whole JVM, which run()'s in-process callers share.
            try {
                CompilerChoice.fromProperty().applyInBackground();
            } catch (UsageException e) {
                System.err.println("dmarc-local: " + e.getMessage());
                System.exit(USAGE);
            }
        }
        System.exit(run(args, System.out, System.err, () -> {
            try {
                stopSignal.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    /**
     * Runs a command line.
     *
     * @param untilStopped blocks while {@code serve} should keep running
     */
    static int run(String[] args, PrintStream out, PrintStream err, Runnable untilStopped) {
        Command command;
        try {
            command = CommandLine.parse(args);
        } catch (UsageException e) {
            err.println("dmarc-local: " + e.getMessage());
            err.println("Run with --help for the commands and options.");
            return USAGE;
        }
        if (command instanceof Help) {
            out.print(CommandLine.USAGE);
            out.flush();
            return OK;
        }
        if (command instanceof Version) {
            out.println("dmarc-local " + version());
            out.flush();
            return OK;
        }
        if (command instanceof SendNow sendNow) {
            return SendNowCommand.run(sendNow, out, err, Clock.systemUTC(), System.getenv());
        }
        return serve((Serve) command, out, err, untilStopped);
    }

    private static int serve(Serve options, PrintStream out, PrintStream err, Runnable untilStopped) {
        LocalRuntime runtime;
        try {
            runtime = LocalRuntime.start(options);
        } catch (UsageException e) {
            err.println("dmarc-local: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            err.println("dmarc-local: cannot listen on 127.0.0.1:" + options.port() + ": " + e.getMessage());
            return FAILED;
        } catch (StoreUnavailableException e) {
            err.println("dmarc-local: " + e.getMessage());
            return FAILED;
        }
        // Also on plain JVM exit (System.exit elsewhere, SIGHUP): stop() is idempotent.
        Thread hook = new Thread(runtime::stop, "stop-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("listening on http://127.0.0.1:" + runtime.port());
        out.flush();
        untilStopped.run();
        runtime.stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook finds everything stopped
        }
        return OK;
    }

    /** The Maven project version, written into version.properties when the jar is built. */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.startsWith("${")) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall back to the manifest
        }
        String manifest = Main.class.getPackage().getImplementationVersion();
        return manifest == null ? "(unknown version)" : manifest;
    }

    /**
     * SIGTERM and SIGINT release {@code stop}. Handling them ourselves (instead of only a shutdown
     * hook) lets {@code serve} finish its requests, close the store and exit 0 rather than 143.
     */
    private static void handleStopSignals(CountDownLatch stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> stop.countDown());
            } catch (IllegalArgumentException e) {
                // not available on this platform: the shutdown hook still stops cleanly
            }
        }
    }
}
