package org.dmarcreporter.local.http;

import java.nio.ByteBuffer;
import org.dmarcreporter.core.api.ApiResponse;
import org.dmarcreporter.core.api.ProblemJson;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty gives by itself (a malformed request line, a bad Content-Length, headers over
 * the limit, a handler failure) as problem+json (RFC 9457) like every other error of the API,
 * instead of Jetty's HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String title = HttpStatus.getMessage(code);
        // Jetty's message for a 4xx names what was wrong with the request ("Invalid Content-Length
        // Value"); a 5xx message may carry internals and is not passed on.
        String detail = code < 500 && message != null && !message.isBlank() ? message : title;
        ApiResponse problem = ProblemJson.of(code, title, detail);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, problem.contentType());
        response.write(true, ByteBuffer.wrap(problem.body()), callback);
    }
}
