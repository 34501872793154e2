package org.dmarcreporter.core.report.run;

import java.util.List;
import org.dmarcreporter.core.window.ReportingWindows;

/**
 * Where a window ends ({@code docs/reporting-windows.md}): at the first UTC midnight or send-now
 * cut after its start. The report's date_range is {@code begin = start}, {@code end = end - 1}.
 */
public final class WindowRange {

    private WindowRange() {}

    /** @param cuts the cuts that apply to the window's domain, in any order */
    public static long end(long start, List<Long> cuts) {
        long end = Math.floorDiv(start, ReportingWindows.DAY_SECONDS) * ReportingWindows.DAY_SECONDS
                + ReportingWindows.DAY_SECONDS;
        for (long cut : cuts) {
            if (cut > start && cut < end) {
                end = cut;
            }
        }
        return end;
    }
}
