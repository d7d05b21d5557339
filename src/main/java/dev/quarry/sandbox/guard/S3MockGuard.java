package dev.quarry.sandbox.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs inside S3Mock's own process (a Spring Boot application) and closes what its settings cannot:
 * its extra {@code http.port} connector, which S3Mock always opens on all interfaces, is bound to
 * 127.0.0.1, and a servlet filter refuses every request that {@link LoopbackRequests} refuses
 * (foreign {@code Host}, any {@code Origin}) before S3Mock's CORS handling, which answers any
 * origin with credentials allowed, ever sees it.
 *
 * <p>Spring Boot finds it through {@code META-INF/spring.factories} in the small jar {@link
 * #writeJar} writes, which S3Mock's launcher puts on its classpath ({@code -Dloader.path}). It uses
 * only Spring's context API, which S3Mock ships; Tomcat and the servlet API are reached by
 * reflection, because Quarry does not depend on them.
 */
public final class S3MockGuard
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  /** Every class the guard needs in S3Mock's process. */
  private static final List<Class<?>> CLASSES =
      List.of(
          S3MockGuard.class,
          LoopbackConnectors.class,
          RefusingFilter.class,
          LoopbackRequests.class);

  /**
   * The S3Mock version Quarry's {@code BucketStore} (src/s3mock) was translated from: the sandbox
   * refuses to start any other, whose store may differ ({@code S3MockServer}).
   */
  public static final String S3MOCK_VERSION = "5.2.0";

  /**
   * Quarry's {@code BucketStore} for S3Mock, which keeps each bucket's metadata in memory; the
   * build compiles it against S3Mock's jar and puts it here as a resource, not a class of Quarry's.
   */
  private static final String BUCKET_STORE_RESOURCE = "s3mock-BucketStore.class.bin";

  private static final String BUCKET_STORE_CLASS =
      "com/adobe/testing/s3mock/s3/store/BucketStore.class";

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    ClassLoader loader = context.getClassLoader();
    context.getBeanFactory().addBeanPostProcessor(new LoopbackConnectors());
    context.getBeanFactory().registerSingleton("quarrySandboxGuard", RefusingFilter.create(loader));
  }

  /**
   * Writes the guard's jar: its classes, the {@code spring.factories} line that names it, and
   * Quarry's {@code BucketStore} for S3Mock. The jar is written anew at each start, so it always
   * matches this Quarry.
   */
  public static void writeJar(Path jar) {
    writeJar(jar, true);
  }

  /**
   * As {@link #writeJar(Path)}; without Quarry's {@code BucketStore} if {@code quarryBucketStore}
   * is false (a benchmark's baseline).
   */
  public static void writeJar(Path jar, boolean quarryBucketStore) {
    try {
      Files.createDirectories(jar.toAbsolutePath().getParent());
      Path temp = Files.createTempFile(jar.toAbsolutePath().getParent(), ".guard", ".tmp");
      try (OutputStream file = Files.newOutputStream(temp);
          JarOutputStream out = new JarOutputStream(file)) {
        out.putNextEntry(new JarEntry("META-INF/spring.factories"));
        out.write(
            ("org.springframework.context.ApplicationContextInitializer="
                    + S3MockGuard.class.getName()
                    + "\n")
                .getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
        if (quarryBucketStore) {
          // S3Mock's launcher puts loader.path before its own classes: this BucketStore wins
          try (InputStream in = S3MockGuard.class.getResourceAsStream(BUCKET_STORE_RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException("resource not found: " + BUCKET_STORE_RESOURCE);
            }
            out.putNextEntry(new JarEntry(BUCKET_STORE_CLASS));
            in.transferTo(out);
            out.closeEntry();
          }
        }
        for (Class<?> type : CLASSES) {
          String name = type.getName().replace('.', '/') + ".class";
          try (InputStream in = S3MockGuard.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
              throw new IllegalStateException("class file not found: " + name);
            }
            out.putNextEntry(new JarEntry(name));
            in.transferTo(out);
            out.closeEntry();
          }
        }
      }
      Files.move(temp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + jar, e);
    }
  }

  /**
   * Binds every Tomcat connector that is a bean (S3Mock's extra {@code http.port} one) to
   * 127.0.0.1; the main connector follows {@code server.address}.
   */
  static final class LoopbackConnectors implements BeanPostProcessor {
    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
      if (bean.getClass().getName().equals("org.apache.catalina.connector.Connector")) {
        try {
          Object protocol = bean.getClass().getMethod("getProtocolHandler").invoke(bean);
          protocol
              .getClass()
              .getMethod("setAddress", InetAddress.class)
              .invoke(protocol, InetAddress.getLoopbackAddress());
        } catch (ReflectiveOperationException e) {
          // better no S3Mock than one listening on every interface
          throw new IllegalStateException("cannot bind S3Mock's connector to loopback", e);
        }
      }
      return bean;
    }
  }

  /** A {@code jakarta.servlet.Filter}, built as a proxy since Quarry has no servlet API. */
  static final class RefusingFilter implements InvocationHandler {
    private final Method getHeader;
    private final Method setStatus;
    private final Method setContentType;
    private final Method getOutputStream;
    private final Method doFilter;

    private RefusingFilter(ClassLoader loader) throws ReflectiveOperationException {
      Class<?> request = Class.forName("jakarta.servlet.ServletRequest", false, loader);
      Class<?> response = Class.forName("jakarta.servlet.ServletResponse", false, loader);
      getHeader =
          Class.forName("jakarta.servlet.http.HttpServletRequest", false, loader)
              .getMethod("getHeader", String.class);
      setStatus =
          Class.forName("jakarta.servlet.http.HttpServletResponse", false, loader)
              .getMethod("setStatus", int.class);
      setContentType = response.getMethod("setContentType", String.class);
      getOutputStream = response.getMethod("getOutputStream");
      doFilter =
          Class.forName("jakarta.servlet.FilterChain", false, loader)
              .getMethod("doFilter", request, response);
    }

    static Object create(ClassLoader loader) {
      try {
        Class<?> filter = Class.forName("jakarta.servlet.Filter", false, loader);
        return Proxy.newProxyInstance(loader, new Class<?>[] {filter}, new RefusingFilter(loader));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot build the sandbox's request filter", e);
      }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "doFilter":
          filter(args[0], args[1], args[2]);
          return null;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        case "toString":
          return "QuarrySandboxGuard";
        default: // init, destroy
          return null;
      }
    }

    private void filter(Object request, Object response, Object chain) throws Throwable {
      try {
        String refusal =
            LoopbackRequests.refusal(
                (String) getHeader.invoke(request, "Host"),
                (String) getHeader.invoke(request, "Origin"));
        if (refusal == null) {
          doFilter.invoke(chain, request, response);
          return;
        }
        byte[] body =
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>"
                    + refusal.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    + "</Message></Error>")
                .getBytes(StandardCharsets.UTF_8);
        setStatus.invoke(response, 403);
        setContentType.invoke(response, "application/xml");
        try (OutputStream out = (OutputStream) getOutputStream.invoke(response)) {
          out.write(body);
        }
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
