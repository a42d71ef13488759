package dev.bindery.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers before a request reaches the API (an unparsable request line, an
 * ambiguous or invalid URI, headers too large) in the same problem+json shape as the API's own.
 */
final class JettyProblemHandler extends ErrorHandler {
  private final ProblemMapper problems;

  JettyProblemHandler(ProblemMapper problems) {
    this.problems = problems;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    byte[] body =
        bytes(code, message, request.getHttpURI() == null ? null : request.getHttpURI().getPath());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private byte[] bytes(int code, String message, String instance) {
    String reason = HttpStatus.getMessage(code);
    String detail =
        message == null || message.isBlank()
            ? reason
            : "the request was refused by the HTTP layer: " + message;
    ApiProblem p =
        ApiProblem.of(
            code,
            code >= 500 ? "internal" : "bad-request",
            reason == null ? "Error" : reason,
            detail);
    return problems.body(p, instance).toString().getBytes(StandardCharsets.UTF_8);
  }
}
