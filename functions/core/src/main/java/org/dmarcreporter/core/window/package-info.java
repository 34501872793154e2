/**
 * Reporting windows: which window (policy domain, start) a result counts in, cut at every UTC midnight
 * and send-now cut, and the timing that keeps a report run from missing or double counting a result.
 */
package org.dmarcreporter.core.window;
