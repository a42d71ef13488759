package dev.bindery.server.backend;

import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.IndexBackendProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Opens an {@link IndexBackend} whose jars cannot share the server's class path, in a class loader
 * of its own.
 *
 * <p>The SolrCloud backend is the case in point: SolrJ 9 talks HTTP through Jetty 10's client,
 * while the server runs on Javalin's Jetty 12, and both use the same package names. The backend's
 * class loader sees the JDK, the backend contract ({@code dev.bindery.indexer}, but not the
 * embedded Lucene backend under it) and SLF4J (so its logs go where the server's go) from the
 * application; every other class comes from the backend's own jars. Calls into the backend run with
 * that loader as the thread's context class loader, which some libraries look services up with.
 */
public final class IsolatedBackendLoader {

  /** Package prefixes the backend shares with the application. */
  private static final List<String> SHARED = List.of("dev.bindery.indexer.", "org.slf4j.");

  /** Packages under a shared prefix that stay private to the application. */
  private static final List<String> PRIVATE = List.of("dev.bindery.indexer.lucene.");

  private IsolatedBackendLoader() {}

  /**
   * Opens the backend called {@code name} from the jars on {@code classPath}.
   *
   * @param classPath jars, folders of jars, or class folders
   * @param what how to name the class path in errors, e.g. "the SolrCloud backend's jars"
   * @throws IllegalArgumentException when an entry is missing, no provider of that name is on the
   *     path, or the provider rejects the settings
   */
  public static IndexBackend open(
      String name, Map<String, String> settings, List<Path> classPath, String what) {
    URLClassLoader loader =
        classLoader(classPath, what, IsolatedBackendLoader.class.getClassLoader());
    boolean ok = false;
    try {
      IndexBackendProvider provider = provider(loader, name, classPath, what);
      IndexBackend backend = withContextLoader(loader, () -> provider.open(settings));
      IndexBackend wrapped = wrap(backend, loader);
      ok = true;
      return wrapped;
    } finally {
      if (!ok) {
        closeQuietly(loader);
      }
    }
  }

  /**
   * The isolated loader over {@code classPath}: JDK classes, the shared packages from {@code
   * application}, everything else from the path only.
   */
  static URLClassLoader classLoader(List<Path> classPath, String what, ClassLoader application) {
    List<URL> urls = new ArrayList<>();
    for (Path entry : classPath) {
      if (!Files.exists(entry)) {
        throw new IllegalArgumentException(what + ": " + entry + " does not exist");
      }
      if (Files.isDirectory(entry)) {
        List<Path> jars;
        try (Stream<Path> s = Files.list(entry)) {
          jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
          throw new UncheckedIOException(what + ": cannot list " + entry, e);
        }
        // A folder of classes (a build's target/classes) is itself an entry; a folder of jars
        // stands for its jars.
        if (jars.isEmpty()) {
          urls.add(url(entry));
        } else {
          jars.forEach(j -> urls.add(url(j)));
        }
      } else {
        urls.add(url(entry));
      }
    }
    return new URLClassLoader(
        "bindery-isolated-backend", urls.toArray(URL[]::new), new Gate(application));
  }

  private static IndexBackendProvider provider(
      ClassLoader loader, String name, List<Path> classPath, String what) {
    List<String> found = new ArrayList<>();
    for (IndexBackendProvider p : ServiceLoader.load(IndexBackendProvider.class, loader)) {
      if (p.getClass().getClassLoader() != loader) {
        continue; // one of the application's own providers, seen through the shared package
      }
      if (p.name().equals(name)) {
        return p;
      }
      found.add(p.name());
    }
    throw new IllegalArgumentException(
        what
            + " ("
            + classPath
            + ") hold no '"
            + name
            + "' backend"
            + (found.isEmpty() ? "" : "; they hold " + found));
  }

  private static URL url(Path p) {
    try {
      return p.toAbsolutePath().toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a usable class path entry: " + p, e);
    }
  }

  /** Runs {@code call} with {@code loader} as the context class loader. */
  private static <T> T withContextLoader(ClassLoader loader, java.util.function.Supplier<T> call) {
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return call.get();
    } finally {
      t.setContextClassLoader(before);
    }
  }

  /** The backend behind a proxy that sets the context loader and closes the loader last. */
  private static IndexBackend wrap(IndexBackend backend, URLClassLoader loader) {
    InvocationHandler h =
        new InvocationHandler() {
          @Override
          public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
              return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "isolated " + backend;
                default -> method.invoke(backend, args);
              };
            }
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            try {
              return method.invoke(backend, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            } finally {
              t.setContextClassLoader(before);
              if (method.getName().equals("close") && method.getParameterCount() == 0) {
                closeQuietly(loader);
              }
            }
          }
        };
    return (IndexBackend)
        Proxy.newProxyInstance(
            IndexBackend.class.getClassLoader(), new Class<?>[] {IndexBackend.class}, h);
  }

  private static void closeQuietly(URLClassLoader loader) {
    try {
      loader.close();
    } catch (IOException ignored) {
      // Closing only releases jar file handles; nothing is lost if it fails.
    }
  }

  /**
   * The isolated loader's parent: the JDK (platform loader) for everything, the application's
   * loader for the shared packages, nothing else.
   */
  private static final class Gate extends ClassLoader {
    private final ClassLoader application;

    Gate(ClassLoader application) {
      super("bindery-isolated-backend-gate", ClassLoader.getPlatformClassLoader());
      this.application = application;
    }

    private static boolean shared(String name) {
      return SHARED.stream().anyMatch(name::startsWith)
          && PRIVATE.stream().noneMatch(name::startsWith);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (shared(name)) {
        return application.loadClass(name);
      }
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      String asClass = name.replace('/', '.');
      if (shared(asClass)) {
        return application.getResource(name);
      }
      // Service files of the shared contract come from the backend's own jars only.
      return super.getResource(name);
    }

    @Override
    public java.util.Enumeration<URL> getResources(String name) throws IOException {
      if (shared(name.replace('/', '.'))) {
        return application.getResources(name);
      }
      return super.getResources(name);
    }
  }
}
