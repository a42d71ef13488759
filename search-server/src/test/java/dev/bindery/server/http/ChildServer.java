package dev.bindery.server.http;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bindery serve} in a child JVM on this test's class path, with the encoders module's tiny
 * test towers as its model folder, its output in {@code <dir>/server.log}: for tests that need the
 * process itself (its heap bound, its temporary folder). Waits until {@code /v1/health} answers
 * 200, or fails when the process exits first; no deadline (tests carry no wall-clock limits;
 * JUnit's default timeout bounds a hang).
 */
final class ChildServer implements AutoCloseable {
  static final Path TOWERS =
      Path.of("..", "encoders", "src", "test", "resources", "parity", "towers");

  final Process process;
  final HttpTestClient http;

  private ChildServer(Process process, HttpTestClient http) {
    this.process = process;
    this.http = http;
  }

  /**
   * Starts the server with its data in {@code <dir>/data}.
   *
   * @param jvmOptions options for the child JVM (heap bound, {@code -Djava.io.tmpdir=...})
   * @param maxBody the server's {@code --max-body}
   */
  static ChildServer start(Path dir, List<String> jvmOptions, String maxBody) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--add-modules");
    command.add("jdk.incubator.vector");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.bindery.server.cli.BinderyCli");
    command.addAll(
        List.of(
            "--data",
            dir.resolve("data").toString(),
            "serve",
            "--port",
            Integer.toString(port),
            "--models",
            TOWERS.toAbsolutePath().normalize().toString(),
            "--max-body",
            maxBody));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    ChildServer server =
        new ChildServer(process, new HttpTestClient(URI.create("http://127.0.0.1:" + port)));
    try {
      server.awaitHealthy();
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitHealthy() throws Exception {
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("bindery serve exited with " + process.exitValue());
      }
      try {
        if (http.get("/v1/health").status() == 200) {
          return;
        }
      } catch (IllegalStateException notYet) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
  }

  /** Stops the process: a polite stop, then a forced one after 30 seconds. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
