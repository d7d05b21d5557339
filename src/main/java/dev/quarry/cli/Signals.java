package dev.quarry.cli;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT as a request to stop, for a command that stops by itself: the JVM's own
 * handling runs the shutdown hooks and exits 143 at once, which would cut a running job off and
 * tell a service manager that the daemon failed. Handled here, the command finishes what it runs
 * and returns 0.
 *
 * <p>Java has no public API for signals; {@code sun.misc.Signal} (module jdk.unsupported, kept on
 * purpose for this) is reached by reflection because javac's warning about it cannot be silenced
 * and the build treats warnings as errors.
 */
final class Signals {
  private Signals() {}

  /** A latch that opens at the first SIGTERM or SIGINT; later ones are ignored. */
  static CountDownLatch onStop() {
    CountDownLatch stop = new CountDownLatch(1);
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object onSignal =
          Proxy.newProxyInstance(
              handler.getClassLoader(),
              new Class<?>[] {handler},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  stop.countDown();
                  return null;
                }
                return method.getDeclaringClass() == Object.class
                    ? switch (method.getName()) {
                      case "hashCode" -> System.identityHashCode(proxy);
                      case "equals" -> proxy == args[0];
                      default -> "stop on signal";
                    }
                    : null;
              });
      for (String name : new String[] {"TERM", "INT"}) {
        signal
            .getMethod("handle", signal, handler)
            .invoke(null, signal.getConstructor(String.class).newInstance(name), onSignal);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // without it, a signal ends the daemon the JVM's way: runs are resumed at the next start
      System.err.println("quarry: cannot handle SIGTERM (" + e + "); a signal stops at once");
    }
    return stop;
  }
}
